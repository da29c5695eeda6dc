import Foundation
import Swiftnet
import XCTest

/// Hosts, switches and links added to a running network (Mininet's `net.addHost` and
/// `net.addLink` after `start`), through the library and the control API.
final class RuntimeAddTests: XCTestCase {
    func testAddHostSwitchAndLinkWhileRunning() throws {
        try withNetwork(star(2, name: "grow")) { net in
            // h1 has written its hosts file already: it must learn of h3 too.
            XCTAssertEqual(try net.node("h1").shell("true").status, 0)
            let h3 = try net.addHost("h3")
            XCTAssertEqual(h3.ip?.description, "10.0.0.3", "the address a build gives the third host")
            XCTAssertEqual(try h3.interfaces().map(\.name), ["lo"])
            try net.addLink("h3", "s1")
            XCTAssertEqual(net.topology.host("h3")?.interfaces, ["h3-eth0"])
            XCTAssertEqual(net.topology.switches.first { $0.name == "s1" }?.interfaces, ["s1-eth1", "s1-eth2", "s1-eth3"])
            XCTAssertEqual(try h3.shell("ping -c1 -W2 h1 > /dev/null").status, 0, "h3 reaches h1 by name")
            let hostsFile = try net.node("h1").cmd("cat /etc/hosts")
            XCTAssertEqual(try net.node("h1").shell("ping -c1 -W2 h3 > /dev/null").status, 0, "h1 knows h3's name: " + hostsFile)

            // A second switch, a host on it with its own address and MAC, shaped link.
            try net.addSwitch("s2")
            try net.addHost("h4", ip: "10.0.0.44/8", mac: "02:00:00:00:00:44")
            try net.addLink("s1", "s2")
            try net.addLink("h4", "s2", shaping: try LinkParams.parse(option: "bw=50").shaping(for: "link h4-s2"))
            XCTAssertEqual(try net.node("h4").mac, "02:00:00:00:00:44")
            let all = net.pingAll()
            XCTAssertEqual(all.sent, 12)
            XCTAssertEqual(all.received, 12, "\(all.results.filter { !$0.received })")
            let tc = try net.node("h4").cmd("tc qdisc show dev h4-eth0")
            XCTAssertTrue(tc.contains("htb") || tc.contains("tbf"), tc)
            try net.setLink("h4", "s2", up: false)
            XCTAssertFalse(try net.ping(from: "h1", to: "h4", timeout: 1).received)
            try net.setLink("h4", "s2", up: true)
            XCTAssertTrue(try net.ping(from: "h1", to: "h4", timeout: 2).received)

            // Bad requests change nothing.
            XCTAssertThrowsError(try net.addHost("h1")) { XCTAssertTrue("\($0)".contains("already"), "\($0)") }
            XCTAssertThrowsError(try net.addHost("h5", ip: "10.0.0.1")) { XCTAssertTrue("\($0)".contains("h1"), "\($0)") }
            XCTAssertThrowsError(try net.addHost("9bad")) { XCTAssertTrue("\($0)".contains("must start with a letter"), "\($0)") }
            XCTAssertThrowsError(try net.addLink("h4", "nope")) { XCTAssertTrue("\($0)".contains("'nope'"), "\($0)") }
            XCTAssertEqual(net.topology.hosts.map(\.name), ["h1", "h2", "h3", "h4"])
            XCTAssertEqual(net.topology.links.count, 5)
        }
    }

    func testAddThroughTheControlAPI() throws {
        try withNetwork(star(2, name: "growapi")) { net in
            let client = ControlClient(socketPath: try XCTUnwrap(net.controlSocket))
            let added = try client.request("POST", "/v1/nodes", json: ControlJSON.encode(ControlAddNodeRequest(name: "h3")))
            XCTAssertEqual(added.status, 201, String(decoding: added.body, as: UTF8.self))
            let link = try client.request("POST", "/v1/links", json: Array(#"{"a": "h3", "b": "s1", "bw": "20"}"#.utf8))
            XCTAssertEqual(link.status, 201, String(decoding: link.body, as: UTF8.self))
            XCTAssertTrue(String(decoding: link.body, as: UTF8.self).contains(#""a_interface":"h3-eth0""#), String(decoding: link.body, as: UTF8.self))
            let h3 = try client.call("GET", "/v1/nodes/h3", ControlNode.self)
            XCTAssertEqual(h3.interfaces.map(\.name), ["h3-eth0"])
            XCTAssertEqual(h3.interfaces.first?.addresses, ["10.0.0.3/8"])
            let r = try client.call("POST", "/v1/nodes/h3/exec", ControlExecResult.self, body: ControlExecRequest(cmd: "ping -c1 -W2 h2 >/dev/null"))
            XCTAssertEqual(r.exit, 0)
            // Errors: a taken name, an unknown kind, a link to nowhere.
            XCTAssertEqual(try client.request("POST", "/v1/nodes", json: Array(#"{"name": "h1"}"#.utf8)).status, 400)
            XCTAssertEqual(try client.request("POST", "/v1/nodes", json: Array(#"{"name": "x1", "kind": "router"}"#.utf8)).status, 400)
            XCTAssertEqual(try client.request("POST", "/v1/links", json: Array(#"{"a": "h3", "b": "s9"}"#.utf8)).status, 404)
            XCTAssertEqual(try client.request("POST", "/v1/nodes", json: Array("{".utf8)).status, 400)
        }
    }
}
