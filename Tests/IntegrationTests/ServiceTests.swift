import Foundation
import Swiftnet
import XCTest

/// The network's services: made with it, started in dependency order, stopped in reverse.
final class ServiceTests: XCTestCase {
    func testStatusesFollowTheLifecycle() throws {
        let topo = Topology("svc", domain: "lab.test") {
            Host("h1")
            Host("h2")
            Switch("s1")
            Link("h1", "s1")
            Link("h2", "s1")
        }
        let net = Network(try topo.validated())
        // Made with the network, none started; only what the topology needs.
        XCTAssertEqual(net.serviceStatuses.map(\.name), ["state", "dns", "control"])
        XCTAssertEqual(Set(net.serviceStatuses.map(\.state)), [.idle])
        var running: [ServiceStatus] = []
        try withNetwork(topo) { n in
            running = n.serviceStatuses
            // The embedded server starts with the first host that runs a program.
            let answer = try n.node("h1").cmd("getent ahostsv4 h2")
            XCTAssertTrue(answer.hasPrefix("10.0.0.2 "), answer)
            let dns = try XCTUnwrap(n.serviceStatuses.first { $0.name == "dns" })
            XCTAssertEqual(dns.state, .running)
            XCTAssertTrue(dns.detail.contains("in 1 hosts"), dns.detail)
            XCTAssertEqual(n.serviceStatuses.first { $0.name == "control" }?.state, .running)
            let stateDir = try XCTUnwrap(n.serviceStatuses.first { $0.name == "state" })
            XCTAssertTrue(stateDir.detail.hasPrefix("/run/swiftnet/svc."), stateDir.detail)
            n.stop()
            XCTAssertEqual(Set(n.serviceStatuses.map(\.state)), [.stopped])
            XCTAssertNil(n.controlSocket)
        }
        XCTAssertEqual(running.map(\.name), ["state", "dns", "control"])
    }
}
