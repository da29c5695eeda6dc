@testable import Controller
import OpenFlow
import XCTest

/// Floodlight's field names and action text, read and written back, and the static
/// flow pusher's entries with the errors a user sees.
final class FloodlightFieldsTests: XCTestCase {
    func testMatchFieldsAliasesAndMasks() throws {
        let m = try FloodlightFields.match(["in_port": "3", "eth_type": "0x0800", "ipv4_dst": "10.0.0.0/24",
                                            "ip_proto": "6", "tp_dst": "80", "name": "ignored", "src-mac": "00:00:00:00:00:01"])
        XCTAssertEqual(m.inPort, OFPortNo(rawValue: 3))
        XCTAssertEqual(m.ethType, 0x0800)
        XCTAssertEqual(m.ipv4Dst, OFIPv4Address("10.0.0.0"))
        XCTAssertEqual(m.ipv4DstMask, OFIPv4Address("255.255.255.0"))
        XCTAssertEqual(m.tcpDst, 80, "tp_dst with ip_proto 6 is tcp_dst")
        XCTAssertEqual(m.ethSrc, OFMACAddress("00:00:00:00:00:01"), "Floodlight 0.9's src-mac")
        let text = FloodlightFields.text(m)
        XCTAssertEqual(text["ipv4_dst"], "10.0.0.0/255.255.255.0")
        XCTAssertEqual(text["tcp_dst"], "80")
        XCTAssertEqual(text["in_port"], "3")
        XCTAssertEqual(try FloodlightFields.match(text).normalized, m.normalized, "what it writes, it reads back")
    }

    func testBadFieldsNameTheProblem() {
        XCTAssertThrowsError(try FloodlightFields.match(["tp_src": "80"])) { e in
            XCTAssertTrue("\(e)".contains("ip_proto"), "\(e)")
        }
        XCTAssertThrowsError(try FloodlightFields.match(["in_port": "x1"])) { e in
            XCTAssertTrue("\(e)".contains("'x1'"), "\(e)")
        }
        XCTAssertThrowsError(try FloodlightFields.match(["eth_dst": "nope"])) { e in
            XCTAssertTrue("\(e)".contains("MAC"), "\(e)")
        }
    }

    func testActionsBothWays() throws {
        let a = try FloodlightFields.actions("output=2, set_field=eth_dst->00:00:00:00:00:02,pop_vlan,output=flood,set_queue=1")
        XCTAssertEqual(a, [.output(port: 2), .setField(.ethDst(OFMACAddress("00:00:00:00:00:02")!)), .popVLAN, .output(port: .flood), .setQueue(1)])
        XCTAssertEqual(FloodlightFields.text(a), "output=2,set_field=eth_dst->00:00:00:00:00:02,pop_vlan,output=flood,set_queue=1")
        XCTAssertEqual(try FloodlightFields.actions(""), [], "no actions: a drop")
        XCTAssertThrowsError(try FloodlightFields.actions("teleport=3")) { e in XCTAssertTrue("\(e)".contains("teleport"), "\(e)") }
        XCTAssertThrowsError(try FloodlightFields.actions("output")) { e in XCTAssertTrue("\(e)".contains("needs a value"), "\(e)") }
    }

    /// The action names of Floodlight 0.9's static flow pusher, as its own test of every
    /// OpenFlow 1.0 action wrote them.
    func testFloodlight09Actions() throws {
        let a = try FloodlightFields.actions("output=controller,enqueue=2:3,set-vlan-id=200,set-vlan-priority=5,strip-vlan,"
            + "set-src-mac=00:11:22:33:44:55,set-dst-mac=ff:ee:dd:cc:bb:aa,set-src-ip=1.2.3.4,set-dst-ip=254.253.255.0,"
            + "set-tos-bits=0xb8,set-src-port=100,set-dst-port=0x100")
        XCTAssertEqual(a, [.output(port: .controller), .setQueue(3), .output(port: 2), .setField(.vlanVID(200 | OFMatch.vlanPresent)),
                           .setField(.vlanPCP(5)), .popVLAN, .setField(.ethSrc(OFMACAddress("00:11:22:33:44:55")!)),
                           .setField(.ethDst(OFMACAddress("ff:ee:dd:cc:bb:aa")!)), .setField(.ipv4Src(OFIPv4Address("1.2.3.4")!)),
                           .setField(.ipv4Dst(OFIPv4Address("254.253.255.0")!)), .setField(.ipDSCP(46)),
                           .setTransportSrc(100), .setTransportDst(256)])
        XCTAssertEqual(try FloodlightFields.actions("enqueue=7"), [.setQueue(7)])
        XCTAssertThrowsError(try FloodlightFields.actions("enqueue=x:1"))
        XCTAssertThrowsError(try FloodlightFields.actions("set-tos-bits=300"))
    }

    func testStaticEntries() throws {
        let e = try StaticFlowPusher.entry(["switch": "00:00:00:00:00:00:00:02", "name": "f1", "in_port": 1, "actions": "output=2",
                                            "active": "true"])
        XCTAssertEqual(e.dpid, 2)
        XCTAssertEqual(e.flow.priority, 32768, "Floodlight's default priority")
        XCTAssertEqual(e.flow.instructions, [.applyActions([.output(port: 2)])])
        XCTAssertTrue(e.active)
        XCTAssertFalse(try StaticFlowPusher.entry(["switch": "2", "name": "f", "active": "false"]).active)
        XCTAssertThrowsError(try StaticFlowPusher.entry(["switch": "2"])) { e in XCTAssertTrue("\(e)".contains("name"), "\(e)") }
        XCTAssertThrowsError(try StaticFlowPusher.entry(["name": "f"])) { e in XCTAssertTrue("\(e)".contains("switch"), "\(e)") }
        XCTAssertThrowsError(try StaticFlowPusher.entry(["switch": "2", "name": "f", "colour": "red"])) { e in
            XCTAssertTrue("\(e)".contains("'colour'"), "\(e)")
        }
        XCTAssertThrowsError(try StaticFlowPusher.entry(["switch": "zz", "name": "f"])) { e in XCTAssertTrue("\(e)".contains("DPID"), "\(e)") }
    }
}
