import Foundation
import Swiftnet
import XCTest

/// `mn`'s options, as the Mininet walkthrough uses them, on `swiftnet`.
final class MininetFlagsTests: FileTestCase {
    func testWhatCannotExistHereIsRefusedAndBuildsNothing() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        for (args, says) in [(["-x", "--topo", "minimal"], "-x/--xterms"), (["--xterms"], "-x/--xterms"),
                             (["--nat"], "--nat"), (["--cluster", "m1,m2"], "--cluster")] {
            let r = try CLI.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(says), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stdout.contains("*** Creating network"), r.stdout)
        }
        XCTAssertEqual(try RootSnapshot.take(), before)
        let v = try CLI.run(["--version"])
        XCTAssertEqual(v.status, 0)
        XCTAssertTrue(v.stdout.hasPrefix("swiftnet "), v.stdout)
        let bad = try CLI.run(["-v", "loud", "--topo", "minimal"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("loud"), bad.stderr)
    }

    func testVerbosityOutputPrintsOnlyWhatTheTestPrints() throws {
        let r = try CLI.run(["--topo", "single,2", "-v", "output", "--test", "pingall"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout, "*** Ping: testing ping reachability\nh1 -> h2 \nh2 -> h1 \n*** Results: 0% dropped (2/2 received)\n")
        let debug = try CLI.run(["--topo", "single,2", "-v", "debug", "--test", "build"])
        XCTAssertTrue(debug.stdout.contains("*** Creating network"), debug.stdout)
        XCTAssertTrue(debug.stdout.contains("*** Built in "), debug.stdout)
    }

    func testIperfTestsAndAll() throws {
        let tcp = try CLI.run(["--topo", "single,2", "--test", "iperf"])
        XCTAssertEqual(tcp.status, 0, tcp.stdout + tcp.stderr)
        XCTAssertTrue(tcp.stdout.contains("*** Iperf: testing TCP bandwidth between h1 and h2"), tcp.stdout)
        XCTAssertNotNil(tcp.stdout.range(of: #"\*\*\* Results: \['[\d.]+ [KMG]bits/sec', '[\d.]+ [KMG]bits/sec'\]"#, options: .regularExpression), tcp.stdout)
        let udp = try CLI.run(["--topo", "single,2", "--test", "iperfudp"])
        XCTAssertEqual(udp.status, 0, udp.stdout + udp.stderr)
        XCTAssertTrue(udp.stdout.contains("*** Iperf: testing UDP bandwidth between h1 and h2"), udp.stdout)
        XCTAssertTrue(udp.stdout.contains("*** Results: ['10M', '"), udp.stdout)
        let all = try CLI.run(["--topo", "linear,2", "--test", "all"])
        XCTAssertEqual(all.status, 0, all.stdout + all.stderr)
        XCTAssertTrue(all.stdout.contains("*** Results: 0% dropped (2/2 received)"), all.stdout)
        XCTAssertTrue(all.stdout.contains("*** Iperf: testing TCP bandwidth between h1 and h2"), all.stdout)
    }

    func testAcceptedMininetFlagsAndShortIPBase() throws {
        let cmds = try write("cmds.txt", "h1 ip -br -4 addr show h1-eth0\n")
        let r = try CLI.run(["--topo", "single,2", "-w", "--innamespace", "--nolistenport", "--listenport", "6654",
                             "-i", "10.1.0.0/16"], stdin: cmds)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("10.1.0.1/16"), r.stdout)
    }
}
