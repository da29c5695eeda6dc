import Foundation
import Netlink
import Swiftnet
import XCTest

/// Link shaping and traffic tools, measured with real iperf3 and ping.
final class TrafficTests: XCTestCase {
    func twoHosts(_ params: (inout LinkSpec) -> Void = { _ in }) -> Topology {
        var t = Topology("shaped") {
            Host("h1"); Host("h2")
            Switch("s1")
            Link("h1", "s1"); Link("h2", "s1")
        }
        params(&t.links[0])
        return t
    }

    func requireIperf() throws {
        try requireProgram("/usr/bin/iperf3", "iperf3 (apt-get install iperf3)")
    }

    func testBandwidthLimitWithHTBAndTBF() throws {
        try requireIperf()
        for tbf in [false, true] {
            let topo = twoHosts { $0.params = LinkParams(bw: "10", useTBF: tbf) }
            try withNetwork(topo) { net in
                let r = try net.iperf(client: "h1", server: "h2", seconds: 3)
                let mbps = r.serverBitsPerSecond / 1e6
                XCTAssertTrue((8.5...10.5).contains(mbps), "\(tbf ? "tbf" : "htb") bw 10 gave \(mbps) Mbit/s")
                let qdisc = try net.run(on: "h1", ["tc", "qdisc", "show", "dev", "h1-eth0"]).stdout
                XCTAssertTrue(qdisc.contains(tbf ? "tbf" : "htb"), qdisc)
            }
        }
    }

    func testLiveReshapingAndUnshapedThroughput() throws {
        try requireIperf()
        try withNetwork(twoHosts()) { net in
            let free = try net.iperf(client: "h1", server: "h2", seconds: 2)
            XCTAssertGreaterThan(free.serverBitsPerSecond, 200e6, "an unshaped veth pair should carry far more than 200 Mbit/s")
            let shaping = try XCTUnwrap(try LinkParams(bw: "5").shaping(for: "link h1-s1"))
            try net.setShaping("h1", "s1", shaping)
            let slow = try net.iperf(client: "h1", server: "h2", seconds: 3)
            XCTAssertTrue((4.0...5.5).contains(slow.serverBitsPerSecond / 1e6), "bw 5 gave \(slow.serverBitsPerSecond / 1e6)")
            let udp = try net.iperf(client: "h1", server: "h2", seconds: 2, udpBandwidth: "2M")
            XCTAssertEqual(udp.clientBitsPerSecond / 1e6, 2, accuracy: 0.3)
        }
    }

    func testDelayAndLossNeedNetem() throws {
        try requireRoot()
        let support = try Network.kernelQdiscs()
        XCTAssertTrue(support.htb && support.tbf, "this project's kernels have htb and tbf")
        let topo = twoHosts { $0.params = LinkParams(delay: "20ms", loss: "1") }
        if !support.netem {
            let before = try RootSnapshot.take()
            XCTAssertThrowsError(try Network(try topo.validated()).start()) { error in
                XCTAssertTrue("\(error)".contains("sch_netem"), "\(error)")
                XCTAssertTrue("\(error)".contains("delay, loss"), "\(error)")
            }
            XCTAssertEqual(before, try RootSnapshot.take())
            let cli = try CLI.run(["--topo", "single,2", "--link", "tc,delay=20ms", "--test", "pingall"])
            XCTAssertEqual(cli.status, 2)
            XCTAssertTrue(cli.stderr.contains("sch_netem"), cli.stderr)
            XCTAssertFalse(cli.stdout.contains("*** Creating network"), "refused before anything is built")
            throw kernelLacks("sch_netem", "delay, jitter and loss measurements over kernel links not run; the refusal was tested instead, and UserSwitchTests measure delay and loss through the userspace switch")
        }
        try withNetwork(topo) { net in
            let r = try net.ping(from: "h1", to: "h2", timeout: 2)
            XCTAssertGreaterThanOrEqual(r.rttMilliseconds ?? 0, 20)
        }
    }
}
