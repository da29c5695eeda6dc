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

    func testMininetSwitchControllerAndLinkNames() throws {
        let ovsk = try CLI.run(["--topo", "single,2", "--switch", "ovsk,protocols=OpenFlow13", "--controller", "ref", "--test", "pingall"])
        XCTAssertEqual(ovsk.status, 0, ovsk.stdout + ovsk.stderr)
        XCTAssertTrue(ovsk.stdout.contains("*** --switch ovsk: Open vSwitch is not used here; swiftnet's user switch"), ovsk.stdout)
        XCTAssertTrue(ovsk.stdout.contains("*** --controller ref: no controller process"), ovsk.stdout)
        XCTAssertTrue(ovsk.stdout.contains("*** Results: 0% dropped (2/2 received)"), ovsk.stdout)
        let br = try CLI.run(["--topo", "single,2", "--switch", "ovsbr", "--link", "default", "--test", "pingall"])
        XCTAssertEqual(br.status, 0, br.stdout + br.stderr)
        XCTAssertTrue(br.stdout.contains("*** --switch ovsbr: a Linux bridge (lxbr)"), br.stdout)
        let tcu = try CLI.run(["--topo", "single,2", "--link", "tcu,bw=10", "--test", "iperf"])
        XCTAssertEqual(tcu.status, 0, tcu.stdout + tcu.stderr)
        XCTAssertTrue(tcu.stdout.contains("*** --link tcu: shaped as tc"), tcu.stdout)
        // iperf's server-side rate through a 10 Mbit/s link.
        let m = try XCTUnwrap(tcu.stdout.range(of: #"Results: \['([\d.]+) Mbits/sec'"#, options: .regularExpression), tcu.stdout)
        let rate = Double(tcu.stdout[m].split(separator: "'")[1].split(separator: " ")[0]) ?? 0
        XCTAssertTrue((7...10.5).contains(rate), "\(rate) Mbit/s: \(tcu.stdout)")
        let bad = try CLI.run(["--topo", "single,2", "--switch", "ovsk,frobnicate=1"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
    }

    func testReversedTopology() throws {
        let cmds = try write("net.txt", "net\n")
        let r = try CLI.run(["--topo", "reversed,3"], stdin: cmds)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("h1 h1-eth0:s1-eth3"), r.stdout)
        XCTAssertTrue(r.stdout.contains("s1 lo:  s1-eth1:h3-eth0 s1-eth2:h2-eth0 s1-eth3:h1-eth0"), r.stdout)
    }
}
