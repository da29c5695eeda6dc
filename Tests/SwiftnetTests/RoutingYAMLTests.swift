import XCTest
@testable import Swiftnet

/// Routers, per-link addresses, static routes and autoaddress in topology files.
final class RoutingYAMLTests: XCTestCase {
    private func load(_ text: String) throws -> ValidatedTopology {
        try Topology.parse(yaml: text, file: "r.yaml").validated()
    }

    private func refused(_ text: String, line: Int?, _ fragments: String..., sourceLine: UInt = #line) {
        expectTopologyError({ try load(text) }, line: line, file: "r.yaml", contains: fragments, sourceLine: sourceLine)
    }

    static let line = """
        routers:
          r1: {}
          r2: {}
        hosts:
          h1: {ip: 10.0.1.10/24, gateway: 10.0.1.1}
          h2: {ip: 10.0.2.10/24, gateway: 10.0.2.1}
        links:
          - [h1, r1]
          - {endpoints: [r1, r2], ips: [10.1.0.1/30, [10.1.0.2/30, "fd00:1::2/64"]]}
          - [r2, h2]
          - {endpoints: [h1, r1], ips: [~, 10.0.1.1/24]}

        """

    func testRoutersGetTheirLinkAddresses() throws {
        let t = try load("""
            routers:
              r1: {}
              r2: {}
            hosts:
              h1: {ip: 10.0.1.10/24, gateway: 10.0.1.1}
            switches:
              s1: {}
            links:
              - [h1, s1]
              - {endpoints: [r1, s1], ips: [10.0.1.1/24, ~]}
              - {endpoints: [r1, r2], ips: [10.1.0.1/30, [10.1.0.2/30, "fd00:1::2/64"]]}
            routes:
              r2: [{to: 10.0.1.0/24, via: 10.1.0.1}, {to: default6, via: "fd00:1::1"}]
              h1: [{to: 10.1.0.0/30, via: 10.0.1.1}]
            """.replacingOccurrences(of: "fd00:1::2/64\"]]}", with: "fd00:1::2/64\"]]}\n  - {endpoints: [r1, r2], ips: [\"fd00:1::1/64\", ~]}"))
        XCTAssertEqual(t.routers.map(\.name), ["r1", "r2"])
        XCTAssertEqual(t.endHosts.map(\.name), ["h1"])
        let r1 = try XCTUnwrap(t.host("r1")), r2 = try XCTUnwrap(t.host("r2"))
        XCTAssertTrue(r1.isRouter)
        XCTAssertEqual(r1.interfaces, ["r1-eth0", "r1-eth1", "r1-eth2"])
        XCTAssertEqual(r1.addresses["r1-eth0"]?.map(\.description), ["10.0.1.1/24"])
        XCTAssertEqual(r1.addresses["r1-eth1"]?.map(\.description), ["10.1.0.1/30"])
        XCTAssertEqual(r1.addresses["r1-eth2"]?.map(\.description), ["fd00:1::1/64"])
        XCTAssertEqual(r1.ip.description, "10.0.1.1/24", "a router's address is its first IPv4 one")
        XCTAssertEqual(r2.addresses["r2-eth0"]?.map(\.description), ["10.1.0.2/30", "fd00:1::2/64"])
        XCTAssertEqual(r2.routes, [ResolvedRoute(destination: IPCIDR("10.0.1.0/24")!, via: IPAddress("10.1.0.1")!),
                                   ResolvedRoute(destination: .any(ipv6: true), via: IPAddress("fd00:1::1")!)])
        XCTAssertEqual(t.host("h1")?.addresses["h1-eth0"]?.map(\.description), ["10.0.1.10/24"])
        XCTAssertEqual(t.host("h1")?.gateway?.description, "10.0.1.1")
    }

    func testAutoaddressNumbersLANsAndRouterLinks() throws {
        let t = try load("""
            autoaddress: true
            ipbase6: "fd00::/48"
            routers: {r1: {}, r2: {}}
            hosts: {h1: {}, h2: {}, h3: {}}
            switches: {s1: {}}
            links:
              - [h1, s1]
              - [h2, s1]
              - [r1, s1]
              - [r1, r2]
              - [r2, h3]
            """)
        let r1 = try XCTUnwrap(t.host("r1")), r2 = try XCTUnwrap(t.host("r2"))
        XCTAssertEqual(r1.addresses["r1-eth0"]?.map(\.description), ["10.0.1.1/24", "fd00:0:0:1::1/64"])
        XCTAssertEqual(r1.addresses["r1-eth1"]?.map(\.description), ["10.255.192.1/30", "fd00:0:0:8000::1/64"])
        XCTAssertEqual(r2.addresses["r2-eth0"]?.map(\.description), ["10.255.192.2/30", "fd00:0:0:8000::2/64"])
        XCTAssertEqual(r2.addresses["r2-eth1"]?.map(\.description), ["10.0.2.1/24", "fd00:0:0:2::1/64"])
        XCTAssertEqual(t.host("h1")?.addresses["h1-eth0"]?.map(\.description), ["10.0.1.10/24", "fd00:0:0:1::10/64"])
        XCTAssertEqual(t.host("h2")?.addresses["h2-eth0"]?.map(\.description), ["10.0.1.11/24", "fd00:0:0:1::11/64"])
        XCTAssertEqual(t.host("h3")?.addresses["h3-eth0"]?.map(\.description), ["10.0.2.10/24", "fd00:0:0:2::10/64"])
        XCTAssertEqual(t.host("h1")?.ip.description, "10.0.1.10/24")
        XCTAssertEqual(t.host("h1")?.gateway?.description, "10.0.1.1")
        XCTAssertEqual(t.host("h1")?.gateway6, IPv6Address("fd00:0:0:1::1"))
        XCTAssertEqual(t.host("h3")?.gateway?.description, "10.0.2.1")
        // Deterministic: the same file gives the same addresses.
        XCTAssertEqual(try load("""
            autoaddress: true
            ipbase6: "fd00::/48"
            routers: {r1: {}, r2: {}}
            hosts: {h1: {}, h2: {}, h3: {}}
            switches: {s1: {}}
            links: [[h1, s1], [h2, s1], [r1, s1], [r1, r2], [r2, h3]]
            """).hosts, t.hosts)
    }

    func testBadRoutingInputIsRefused() {
        let base = "routers: {r1: {}, r2: {}}\nhosts: {h1: {ip: 10.0.1.10/24}}\nlinks:\n  - {endpoints: [h1, r1], ips: [~, 10.0.1.1/24]}\n  - {endpoints: [r1, r2], ips: [10.1.0.1/30, 10.1.0.2/30]}\n"
        refused(base + "routes:\n  r1: [{to: 10.2.0.0/24, via: 10.9.9.9}]\n", line: 7, "next hop 10.9.9.9 is not on a subnet r1 is connected to", "10.0.1.1/24, 10.1.0.1/30")
        refused(base + "routes:\n  r1: [{to: 10.2.0.0/24, via: banana}]\n", line: 7, "via 'banana' is not an IP address")
        refused(base + "routes:\n  r1: [{to: 10.2.0.0, via: 10.1.0.2}]\n", line: 7, "to '10.2.0.0' is not a prefix")
        refused(base + "routes:\n  r1: [{to: 10.2.0.0/24}]\n", line: 7, "needs 'to' and 'via'")
        refused(base + "routes:\n  r9: [{to: 10.2.0.0/24, via: 10.1.0.2}]\n", line: 7, "'r9' is not a node")
        refused(base + "routing: rip\n", line: 6, "routing 'rip' does not exist", "static, ospf, bgp")
        refused(base + "routing: bgp\n", line: 1, "router 'r1' needs an asn")
        refused(base.replacingOccurrences(of: "r1: {}", with: "r1: {asn: x}"), line: 1, "asn 'x' is not an AS number")
        refused(base.replacingOccurrences(of: "r1: {}", with: "r1: {ip: 10.0.0.1/8}"), line: 1, "unknown key 'ip'")
        refused(base.replacingOccurrences(of: "ips: [10.1.0.1/30, 10.1.0.2/30]", with: "ips: [10.1.0.1/30]"), line: 5, "list of two entries")
        refused(base.replacingOccurrences(of: "ips: [10.1.0.1/30, 10.1.0.2/30]", with: "ips: [10.1.0.0/30, 10.1.0.2/30]"), line: 5, "network or broadcast")
        refused(base.replacingOccurrences(of: "ips: [10.1.0.1/30, 10.1.0.2/30]", with: "ips: [10.1.0.1/30, 10.1.0.1/30]"), line: 5, "address 10.1.0.1 is given to both r1-eth1 and r2-eth0")
        refused(base.replacingOccurrences(of: "ips: [10.1.0.1/30, 10.1.0.2/30]", with: "ips: [~, ~]"), line: 1, "router 'r2' has no IPv4 address")
        refused("routers: {r1: {}}\nhosts: {h1: {}}\nswitches: {s1: {}}\nlinks:\n  - {endpoints: [r1, s1], ips: [10.0.0.1/8, 10.0.0.2/8]}\n  - [h1, s1]\n",
                line: 5, "'s1' is a switch, whose ports have no addresses")
        refused("autoaddress: true\nipbase: 10.0.0.0/24\nrouters: {r1: {}}\nhosts: {h1: {}}\nlinks: [[h1, r1]]\n", line: 1, "autoaddress needs an ipbase of /16 or larger")
        refused(base + "experiment:\n  - path: {from: h1, to: 10.1.0.2, expect: [r1, h1]}\n", line: 7, "'h1' in expect is not a router")
        refused(base + "experiment:\n  - route: {on: r1, to: 10.1.0.2, expect_dev: r1-eth7}\n", line: 7, "'r1' has no interface 'r1-eth7'")
        refused("hosts: {h1: {}, h2: {}}\nswitches: {s1: {}}\nlinks: [[h1, s1], [h2, s1]]\nexperiment:\n  - converge: {timeout: 5s}\n", line: 5, "no routers to converge")
    }
}

/// Routers and routes in the Swift DSL.
final class RoutingDSLTests: XCTestCase {
    func testRoutersAndRoutesInTheDSL() throws {
        let topo = Topology("dsl-routers", autoAddress: true, routing: .ospf) {
            Router("r1")
            Router("r2", asn: 65002)
            Host("h1")
            Host("h2")
            Link("h1", "r1")
            Link("r1", "r2")
            Link("r2", "h2")
            Route("h1", to: "10.9.0.0/16", via: "10.0.1.1")
        }
        let t = try topo.validated()
        XCTAssertEqual(t.routers.map(\.name), ["r1", "r2"])
        XCTAssertEqual(t.host("r2")?.asn, 65002)
        XCTAssertEqual(t.routing, .ospf)
        XCTAssertEqual(t.host("h1")?.routes, [ResolvedRoute(destination: IPCIDR("10.9.0.0/16")!, via: IPAddress("10.0.1.1")!)])
        XCTAssertEqual(t.host("r1")?.addresses["r1-eth1"]?.map(\.description), ["10.255.192.1/30"])
        // A bad next hop points at the Swift line of the Route(...) call.
        let bad = Topology("dsl-bad") {
            Router("r1")
            Host("h1")
            Link("h1", "r1", ips: [["10.0.1.10/24"], ["10.0.1.1/24"]])
            Route("h1", to: "10.9.0.0/16", via: "10.7.7.7")
        }
        XCTAssertThrowsError(try bad.validated()) { e in
            let err = e as? TopologyError
            XCTAssertEqual(err?.location?.line, #line - 4)
            XCTAssertTrue(err?.message.contains("next hop 10.7.7.7") == true, "\(e)")
        }
    }
}
