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

    func testADpidIsHexEverywhere() throws {
        for (text, value) in [("10", 0x10), ("0x10", 0x10), ("1f", 0x1F), ("0X1F", 0x1F), ("00:00:00:00:00:00:00:10", 0x10),
                              ("ffffffffffffffff", UInt64.max), (" 7 ", 7)] as [(String, UInt64)] {
            XCTAssertEqual(parseDPID(text), value, text)
        }
        for bad in ["", "0", "0x", "g", "-1", "0x-1", "1 0", "10000000000000000", "00:10:", "0:1", "00:00:00:00:00:00:00:00:01"] {
            XCTAssertNil(parseDPID(bad), bad)
        }
        // YAML takes the scalar's text: `dpid: 10` is 0x10, not ten.
        let yaml = try parse("switches:\n  s1: {kind: user, dpid: 10}\n  s2: {kind: user, dpid: 00:00:00:00:00:00:00:1f}\n")
        XCTAssertEqual(yaml.switches.map(\.dpid), [0x10, 0x1F])
        // The command line's --switch reads the same text the same way.
        var cli = try Topology.builtin("single,2")
        try cli.applySwitchOption("user,dpid=10")
        XCTAssertEqual(cli.switches[0].dpid, yaml.switches[0].dpid)
        // The DSL's dpid is a number: the hex literal is the same switch.
        XCTAssertEqual(Switch("s1", kind: .user, dpid: 0x10).dpid, yaml.switches[0].dpid)
        // And the refusals say the same.
        XCTAssertThrowsError(try cli.applySwitchOption("user,dpid=zz")) { XCTAssertTrue("\($0)".contains(dpidSyntax), "\($0)") }
        expectRefused("switches:\n  s1: {kind: user, dpid: zz}\n", line: 2, dpidSyntax)
    }

    func testTheSwitchOptionSetsEverySwitch() throws {
        var t = try Topology.builtin("linear,3")
        try t.applySwitchOption("user,protocols=OpenFlow13,failmode=standalone")
        XCTAssertEqual(t.switches.map(\.kind), [.user, .user, .user])
        XCTAssertEqual(t.switches.map(\.protocols), Array(repeating: [.openFlow13], count: 3))
        XCTAssertEqual(t.switches.map(\.failMode), Array(repeating: .standalone, count: 3))
        XCTAssertThrowsError(try t.applySwitchOption("user,dpid=5")) { XCTAssertTrue("\($0)".contains("3 switches"), "\($0)") }
        XCTAssertThrowsError(try t.applySwitchOption("ovsk")) { XCTAssertTrue("\($0)".contains("lxbr"), "\($0)") }
        XCTAssertThrowsError(try t.applySwitchOption("lxbr,stp=1")) { XCTAssertTrue("\($0)".contains("not a setting of lxbr"), "\($0)") }
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
            """, line: 2, "dpid", "hex")
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
            """, line: 3, "dpid 0x3", "'s1'")
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
