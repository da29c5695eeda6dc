import Foundation
import Swiftnet
import SwiftnetCLI
import XCTest

/// The verbs in-process over a real network (as root), writing to a buffer.
final class RunningNetworkTests: XCTestCase {
    func testLinksReportTheKernelsState() throws {
        try withShell { shell, out in
            XCTAssertEqual(shell.status("links"), 0)
            XCTAssertEqual(out.output, "h1-eth0<->s1-eth1 (OK OK)\nh2-eth0<->s2-eth1 (OK OK)\ns2-eth2<->s1-eth2 (OK OK)\n")
            XCTAssertEqual(shell.status("link s1 s2 down"), 0)
            out.clear()
            XCTAssertEqual(shell.status("links"), 0)
            XCTAssertTrue(out.output.contains("s2-eth2<->s1-eth2 (DOWN DOWN)\n"), out.output)
            XCTAssertTrue(out.output.contains("h1-eth0<->s1-eth1 (OK OK)\n"), out.output)
            out.clear()
            XCTAssertEqual(shell.status("link s1 h9 down"), 1)
            XCTAssertTrue(out.errors.hasPrefix("*** "), out.errors)
        }
    }

    func testPingallFailsWhileALinkIsDown() throws {
        try withShell { shell, out in
            XCTAssertEqual(shell.status("pingall"), 0, out.combined)
            // A line per source as it completes, in either order.
            let lines = out.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(lines.count, 5, out.output)
            XCTAssertEqual(lines.first, "*** Ping: testing ping reachability")
            XCTAssertEqual(Set(lines.dropFirst().prefix(2)), ["h1 -> h2 ", "h2 -> h1 "])
            XCTAssertEqual(lines.suffix(2), ["*** Results: 0% dropped (2/2 received)", ""])
            XCTAssertFalse(out.output.contains("\u{1B}"), "no progress line on a buffer")
            out.clear()
            XCTAssertEqual(shell.status("pingallfull"), 0, out.combined)
            XCTAssertNotNil(out.output.range(of: #"\n   h1 -> h2: 1/1, rtt [0-9.]+ ms\n"#, options: .regularExpression), out.output)
            XCTAssertNotNil(out.output.range(of: #"\n   h2 -> h1: 1/1, rtt [0-9.]+ ms\n"#, options: .regularExpression), out.output)
            out.clear()
            XCTAssertEqual(shell.status("link h1 s1 down"), 0, out.errors)
            XCTAssertEqual(shell.status("pingall 1"), 1)
            XCTAssertTrue(out.output.hasSuffix("*** Results: 100% dropped (0/2 received)\n"), out.output)
            XCTAssertTrue(out.output.contains("h1 -> X \n"), out.output)
            XCTAssertEqual(shell.status("pingpair"), 1)
            out.clear()
            XCTAssertEqual(shell.status("link h1 s1 up"), 0, out.errors)
            XCTAssertTrue(eventually(5) { shell.status("pingpair") == 0 }, out.output)
            XCTAssertTrue(out.output.hasSuffix("*** Results: 0% dropped (2/2 received)\n"), out.output)
        }
    }

    /// The node command: names become addresses, its output and status are the shell's.
    func testNodeCommandOutputAndStatus() throws {
        try withShell { shell, out in
            XCTAssertEqual(shell.status("h1 ping -c1 h2"), 0, out.combined)
            XCTAssertTrue(out.output.contains("PING 10.0.0.2 (10.0.0.2)"), out.output)
            XCTAssertTrue(out.output.contains("1 packets transmitted, 1 received"), out.output)
            out.clear()
            XCTAssertEqual(shell.status("h1 echo h2 is not hh2"), 0)
            XCTAssertEqual(out.output, "10.0.0.2 is not hh2\n")
            out.clear()
            // The node's shell runs on a terminal: errors come with the output, as in Mininet.
            XCTAssertEqual(shell.status("h2 echo oops >&2; (exit 4)"), 4)
            XCTAssertEqual(out.output, "oops\n")
            out.clear()
            // It is the same shell from one command to the next.
            XCTAssertEqual(shell.status("h2 cd /sys/class/net; X=5"), 0)
            XCTAssertEqual(shell.status("h2 pwd; echo $X"), 0)
            XCTAssertEqual(out.output, "/sys/class/net\n5\n")
            out.clear()
            // `exit` ends that shell; the next command gets a new one.
            XCTAssertEqual(shell.status("h2 exit 3"), 3)
            XCTAssertTrue(out.output.contains("*** h2: its shell exited"), out.output)
            out.clear()
            XCTAssertEqual(shell.status("h2 echo ${X:-fresh}"), 0)
            XCTAssertEqual(out.output, "fresh\n")
            out.clear()
            XCTAssertEqual(shell.status("noecho h2 cat /sys/class/net/h2-eth0/operstate"), 0, out.errors)
            XCTAssertEqual(out.output, "up\n")
            out.clear()
            XCTAssertEqual(shell.status("h1 test -e /sys/class/net/h2-eth0"), 1, "h1 sees only its own interfaces")
            XCTAssertEqual(shell.status("s1 true"), 0, "switches run commands too")
            let fds = openDescriptors()
            for _ in 0..<5 { shell.execute("h1 echo again") }
            XCTAssertEqual(openDescriptors(), fds, "the pipes are closed")
        }
    }

    /// Background jobs are the node shell's: listed while they run, waited for, named
    /// with %, killed with the network.
    func testBackgroundJobs() throws {
        try withShell { shell, out in
            XCTAssertEqual(shell.status("h1 sleep 1 &"), 0)
            XCTAssertNotNil(out.output.range(of: #"^\[1\] \d+\n$"#, options: .regularExpression), out.output)
            out.clear()
            XCTAssertEqual(shell.status("jobs"), 0)
            XCTAssertNotNil(out.output.range(of: #"^h1: \[1\]\+ +Running +sleep 1 &\n$"#, options: .regularExpression), out.output)
            out.clear()
            XCTAssertEqual(shell.status("h1 jobs"), 0)
            XCTAssertTrue(out.output.contains("sleep 1 &"), out.output)
            out.clear()
            let t0 = Date()
            XCTAssertEqual(shell.status("wait"), 0)
            XCTAssertGreaterThan(Date().timeIntervalSince(t0), 0.3, "wait waited for the job")
            XCTAssertEqual(shell.status("jobs"), 0)
            XCTAssertEqual(out.output, "no background jobs\n")
            out.clear()
            // Mininet's walkthrough: a server in the background, then `kill %name`.
            XCTAssertEqual(shell.status("h2 python3 -m http.server 8080 >& /dev/null &"), 0)
            XCTAssertTrue(out.output.hasPrefix("[1] "), out.output)
            out.clear()
            XCTAssertEqual(shell.status("h1 for i in $(seq 50); do curl -s -o /dev/null h2:8080 && break; sleep 0.1; done; curl -s -o /dev/null -w '%{http_code}\\n' h2:8080"), 0)
            XCTAssertEqual(out.output, "200\n")
            out.clear()
            XCTAssertEqual(shell.status("h2 kill %python; wait %python"), 143)
            XCTAssertEqual(shell.status("jobs"), 0)
            XCTAssertEqual(out.output, "no background jobs\n")
            out.clear()
            // Names become addresses in background commands too; this one outlives the
            // shell until the network stops (withShell checks nothing is left).
            XCTAssertEqual(shell.status("h2 sleep 300 & echo h1"), 0)
            XCTAssertTrue(out.output.hasPrefix("10.0.0.1\n"), out.output)
            out.clear()
            XCTAssertEqual(shell.status("h2 sleep 301 &"), 0)
            XCTAssertTrue(out.output.hasPrefix("[2] "), out.output)
            out.clear()
            shell.execute("jobs")
            XCTAssertTrue(out.output.contains("h2: [2]+  Running                 sleep 301 &"), out.output)
        }
    }

    /// Ctrl-C stops the foreground command, not the shell.
    func testInterruptStopsTheForegroundCommand() throws {
        try withShell { shell, out in
            let stopper = Thread {
                usleep(500_000)
                shell.interrupt()
            }
            stopper.start()
            let t0 = Date()
            XCTAssertEqual(shell.status("h1 sleep 30"), 130, "killed by SIGINT")
            XCTAssertLessThan(Date().timeIntervalSince(t0), 10)
            XCTAssertEqual(shell.status("h1 true"), 0)
        }
    }

    func testRouteAndPath() throws {
        try withShell { shell, out in
            XCTAssertEqual(shell.status("route h1"), 0, out.errors)
            XCTAssertTrue(out.output.split(separator: "\n").contains("10.0.0.0/8 dev h1-eth0"), out.output)
            out.clear()
            XCTAssertEqual(shell.status("route h1 10.0.0.2"), 0, out.errors)
            XCTAssertEqual(out.output, "10.0.0.2 dev h1-eth0 src 10.0.0.1\n")
            out.clear()
            XCTAssertEqual(shell.status("path h1 h2"), 0, out.errors)
            XCTAssertTrue(out.output.hasPrefix("h1"), out.output)
            XCTAssertTrue(out.output.hasSuffix("h2\n"), out.output)
        }
    }
}

/// The verbs for user switches, and link shaping, over h1 - s1 - h2 on a user switch.
final class UserSwitchVerbTests: XCTestCase {
    let pair = Topology(name: "verbs\(getpid())", hosts: [HostSpec(name: "h1"), HostSpec(name: "h2")],
                        switches: [SwitchSpec(name: "s1", kind: .user)],
                        links: [LinkSpec("h1", "s1", location: nil), LinkSpec("h2", "s1", location: nil)])

    func testDpctlAndSwitchStopStart() throws {
        try withShell(pair) { shell, out in
            XCTAssertEqual(shell.status("dpctl dump-ports s1"), 0, out.errors)
            XCTAssertTrue(out.output.hasPrefix("*** s1 " + String(repeating: "-", count: 70) + "\n"), out.output)
            XCTAssertTrue(out.output.contains("OFPST_PORT reply: 2 ports"), out.output)
            out.clear()
            XCTAssertEqual(shell.status("dpctl dump-flows"), 0, out.errors)
            XCTAssertTrue(out.output.hasPrefix("*** s1 ---"), out.output)
            out.clear()
            XCTAssertEqual(shell.status("dpctl dump-flows s9"), 1)
            XCTAssertTrue(out.errors.hasPrefix("*** dpctl: ") && out.errors.contains("no switch 's9'"), out.errors)
            out.clear()
            XCTAssertEqual(shell.status("switch s9 stop"), 1)
            XCTAssertTrue(out.errors.hasPrefix("*** switch: "), out.errors)
            XCTAssertEqual(shell.status("switch s1 stop"), 0, out.errors)
            XCTAssertEqual(shell.status("pingall 1"), 1, "a stopped switch forwards nothing")
            XCTAssertEqual(shell.status("switch s1 start"), 0, out.errors)
            XCTAssertTrue(eventually(10) { shell.status("pingall 1") == 0 }, out.output)
        }
    }

    /// `link A B delay=`: the duration's refusal in the words the command line uses.
    func testLinkShaping() throws {
        try withShell(pair) { shell, out in
            XCTAssertEqual(shell.status("link h1 s1 delay=10"), 1)
            XCTAssertEqual(out.errors, "*** link h1-s1 has delay '10': write a number with a unit (us, ms, s, m or h) below 10000s, such as 10ms or 2s\n")
            out.clear()
            XCTAssertEqual(shell.status("link h1 s1 delay=100ms"), 0, out.errors)
            XCTAssertEqual(shell.status("h1 ping -c1 -W2 h2"), 0, out.combined)
            let rtt = out.output.range(of: #"time=([0-9.]+) ms"#, options: .regularExpression).map { out.output[$0] }
            let ms = rtt.flatMap { Double($0.dropFirst(5).dropLast(3)) } ?? 0
            XCTAssertGreaterThan(ms, 90, "the delay applies: \(out.output)")
        }
    }

    func testIperf() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/iperf3") else {
            XCTFail("iperf3 is needed (apt-get install iperf3)")
            return
        }
        try withShell(pair) { shell, out in
            XCTAssertEqual(shell.status("iperf"), 0, out.combined)
            XCTAssertTrue(out.output.hasPrefix("*** Iperf: testing TCP bandwidth between h1 and h2 \n*** Results: ['"), out.output)
            XCTAssertNotNil(out.output.range(of: #"\*\*\* Results: \['[0-9.]+ [KMG]?bits/sec', '[0-9.]+ [KMG]?bits/sec'\]\n$"#,
                                             options: .regularExpression), out.output)
        }
    }
}
