import XCTest
@testable import Swiftnet

/// OpenFlow settings of user switches in YAML and validation: dpid, protocols, failmode,
/// the controller, and loops.
final class OpenFlowSettingsTests: XCTestCase {
    private func parse(_ text: String) throws -> Topology {
        try Topology.parse(yaml: text, file: "t.yaml")
    }

    private func expectRefused(_ text: String, line: Int, _ fragments: String..., sourceLine: UInt = #line) {
        expectTopologyError({ try parse(text).validated() }, line: line, file: "t.yaml", contains: fragments, sourceLine: sourceLine)
    }

    func testSettingsParseAndValidate() throws {
        let t = try parse("""
            controller: remote,ip=127.0.0.1,port=6633
            hosts: {h1: {}, h2: {}}
            switches:
              s1: {kind: user, dpid: 0x1f, protocols: OpenFlow13, failmode: standalone}
              edge: {kind: user, dpid: 7}
            links: [[h1, s1], [s1, edge], [edge, h2]]
            """)
        XCTAssertEqual(t.controller, ControllerSpec(host: "127.0.0.1", port: 6633))
        let v = try t.validated()
        XCTAssertEqual(v.controller, ControllerSpec(host: "127.0.0.1", port: 6633))
        let s1 = v.switches.first { $0.name == "s1" }!
        XCTAssertEqual(s1.dpid, 0x1F)
        XCTAssertEqual(s1.protocols, [.openFlow13])
        XCTAssertEqual(s1.failMode, .standalone)
        let edge = v.switches.first { $0.name == "edge" }!
        XCTAssertEqual(edge.protocols, [.openFlow10, .openFlow13])
        XCTAssertEqual(edge.failMode, .secure)
    }

    func testDpidFromTheNameAsMininet() throws {
        var t = try Topology.builtin("torus,3,3")
        for i in t.switches.indices { t.switches[i].kind = .user }
        t.controller = ControllerSpec()
        let v = try t.validated()
        XCTAssertEqual(v.switches.first { $0.name == "s2x3" }?.dpid, 0x203)
        var tree = try Topology.builtin("tree,2,3")
        for i in tree.switches.indices { tree.switches[i].kind = .user }
        XCTAssertEqual(try tree.validated().switches.map(\.dpid), [1, 2, 3, 4])
    }

    func testBadSettingsAreRefusedWithTheirLine() {
        expectRefused("""
            switches:
              s1: {kind: user, dpid: zero}
            """, line: 2, "dpid", "number")
        expectRefused("""
            switches:
              s1: {kind: user, protocols: OpenFlow12}
            """, line: 2, "OpenFlow12", "OpenFlow10, OpenFlow13")
        expectRefused("""
            switches:
              s1: {kind: user, failmode: open}
            """, line: 2, "failmode 'open'", "secure or standalone")
        expectRefused("""
            switches:
              s1: {dpid: 3}
            """, line: 2, "Linux bridge", "kind user")
        expectRefused("""
            switches:
              s1: {kind: user, dpid: 3}
              s2: {kind: user, dpid: 3}
            links: [[s1, s2]]
            """, line: 3, "dpid 3", "'s1'")
        expectRefused("""
            controller: remote,port=0
            """, line: 1, "controller", "port")
        expectRefused("""
            switches:
              edge: {kind: user}
            """, line: 2, "needs a dpid")
    }

    func testLoopsNeedAControllerOnUserSwitches() throws {
        var t = try Topology.builtin("torus,3,3")
        for i in t.switches.indices { t.switches[i].kind = .user }
        XCTAssertThrowsError(try t.validated()) { e in
            XCTAssertTrue("\(e)".contains("controller"), "\(e)")
        }
        t.controller = ControllerSpec()
        let v = try t.validated()
        XCTAssertTrue(v.hasLoop)
        XCTAssertFalse(v.switches.contains(where: \.stp), "user switches have no kernel STP")
    }

    func testControllerOption() throws {
        XCTAssertNil(try ControllerSpec.parse(option: "none"))
        XCTAssertEqual(try ControllerSpec.parse(option: "remote"), ControllerSpec(host: "127.0.0.1", port: 6653))
        XCTAssertEqual(try ControllerSpec.parse(option: "remote,ip=10.1.2.3,port=6633"), ControllerSpec(host: "10.1.2.3", port: 6633))
        XCTAssertThrowsError(try ControllerSpec.parse(option: "remote,ip=host.example"))
        XCTAssertThrowsError(try ControllerSpec.parse(option: "remote,port"))
        XCTAssertThrowsError(try ControllerSpec.parse(option: "ryu"))
    }
}
