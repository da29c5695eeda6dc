import XCTest
@testable import Swiftnet

final class DSLTests: XCTestCase {
    func testDSLMatchesEquivalentYAML() throws {
        let dsl = Topology("lab", ipBase: "10.0.0.0/16") {
            Host("h1")
            Host("h2", ip: "10.0.0.2/16", mac: "00:00:00:00:00:02", ip6: "fd00::2/64", gateway: "10.0.0.254")
            Switch("s1")
            Switch("s2", stp: true)
            Link("h1", "s1")
            Link("h2", "s2", mtu: 1400)
            Link("s1", "s2")
        }
        let yaml = try Topology.parse(yaml: """
            name: lab
            ipbase: 10.0.0.0/16
            hosts:
              h1:
              h2: {ip: 10.0.0.2/16, mac: "00:00:00:00:00:02", ip6: "fd00::2/64", gateway: 10.0.0.254}
            switches:
              s1: {}
              s2: {stp: true}
            links:
              - [h1, s1]
              - {endpoints: [h2, s2], mtu: 1400}
              - [s1, s2]
            """, file: "lab.yaml")
        let a = try dsl.validated(), b = try yaml.validated()
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.host("h2")?.gateway?.description, "10.0.0.254")
        XCTAssertEqual(a.links[1].mtu, 1400)
        // The descriptions differ only in where things were written.
        XCTAssertEqual(dsl.hosts.map(\.name), yaml.hosts.map(\.name))
        XCTAssertNotEqual(dsl.hosts[0].location, yaml.hosts[0].location)
    }

    func testLoopsAndConditionsInTheBuilder() throws {
        let leaves = 3
        let withMonitor = true
        let topo = Topology("fan") {
            Switch("s0")
            for i in 1...leaves {
                Switch("s\(i)")
                Link("s0", "s\(i)")
                for j in 1...2 {
                    Host("h\(i)\(j)")
                    Link("h\(i)\(j)", "s\(i)")
                }
            }
            if withMonitor {
                Host("mon")
                Link("mon", "s0")
            } else {
                Host("unused")
            }
            if leaves > 10 {
                Host("never")
            }
        }
        XCTAssertEqual(topo.name, "fan")
        XCTAssertEqual(topo.switches.map(\.name), ["s0", "s1", "s2", "s3"])
        XCTAssertEqual(topo.hosts.count, 7)
        XCTAssertFalse(topo.hosts.contains { $0.name == "unused" || $0.name == "never" })
        XCTAssertEqual(topo.links.count, 3 + 6 + 1)
        let v = try topo.validated()
        XCTAssertEqual(v.switches.first { $0.name == "s0" }?.interfaces, ["s0-eth1", "s0-eth2", "s0-eth3", "s0-eth4"])
        XCTAssertEqual(v.host("mon")?.interfaces, ["mon-eth0"])
        XCTAssertFalse(v.hasLoop)
    }

    func testDSLErrorsPointAtTheCallSite() {
        let linkLine = #line + 4
        let topo = Topology("bad") {
            Host("h1")
            Switch("s1")
            Link("h1", "s9")
        }
        expectTopologyError({ try topo.validated() }, line: linkLine, file: #filePath, contains: ["'s9'"])

        let hostLine = #line + 3
        let lonely = Topology("lonely") {
            Host("h1"); Switch("s1"); Link("h1", "s1")
            Host("h2")
        }
        expectTopologyError({ try lonely.validated() }, line: hostLine, file: #filePath, contains: ["'h2' has no link"])

        let switchLine = #line + 3
        let loop = Topology("loop") {
            Switch("s1"); Switch("s2")
            Switch("s3", stp: false)
            Link("s1", "s2"); Link("s2", "s3"); Link("s3", "s1")
        }
        expectTopologyError({ try loop.validated() }, line: switchLine, file: #filePath, contains: ["'s3' has stp off"])
    }

    func testDSLElementsCarryLocations() {
        let line = #line + 1
        let h = Host("h1", ip: "10.0.0.1/8")
        XCTAssertEqual(h.location, SourceLocation(file: #filePath, line: line))
        XCTAssertEqual(Switch("s1").kind, .lxbr)
        XCTAssertNil(Link("a", "b").mtu)
    }
}
