import Foundation
import Netlink
import Swiftnet
import XCTest

/// `RouteSocket.routeGet`: the kernel's FIB lookup (`ip route get`) on real namespaces.
final class RouteLookupTests: XCTestCase {
    /// Two hosts on a switch; h1 has IPv6.
    static let lan = """
        name: lookup
        hosts:
          h1: {ip: 10.0.0.1/8, ip6: "fd00::1/64"}
          h2: {ip: 10.0.0.2/8, ip6: "fd00::2/64"}
        switches: {s1: {}}
        links:
          - [h1, s1]
          - [h2, s1]
        """

    /// Two LANs joined by a router (which forwards IPv4 and IPv6).
    static let routed = """
        name: forward
        routers: {r1: {}}
        hosts:
          h1: {}
          h2: {}
        links:
          - {endpoints: [h1, r1], ips: [["10.0.1.10/24", "fd00:1::10/64"], ["10.0.1.1/24", "fd00:1::1/64"]]}
          - {endpoints: [r1, h2], ips: [["10.0.2.1/24", "fd00:2::1/64"], ["10.0.2.10/24", "fd00:2::10/64"]]}
        routes:
          h1: [{to: default, via: 10.0.1.1}]
          h2: [{to: default, via: 10.0.2.1}]
        """

    /// Output lookups on a host: on-link, local, no route, a default route added on the
    /// same socket afterwards, IPv6; and requests that are refused.
    func testOutputLookupsOnAHost() throws {
        let topo = try Topology.parse(yaml: Self.lan, file: "lookup.yaml")
        try withNetwork(topo) { net in
            let s = try RouteSocket(namespaceFD: net.namespaceFD(of: "h1"))
            let eth0 = try XCTUnwrap(try s.links().first { $0.name == "h1-eth0" })

            let h2 = try s.routeGet("10.0.0.2")
            XCTAssertEqual(h2.destination, "10.0.0.2")
            XCTAssertEqual(h2.type, .unicast)
            XCTAssertNil(h2.gateway)
            XCTAssertEqual(h2.outputIndex, eth0.index)
            XCTAssertEqual(h2.outputName, "h1-eth0")
            XCTAssertEqual(h2.preferredSource, "10.0.0.1")
            XCTAssertEqual(h2.table, 254, "the main table")

            let lo = try s.routeGet("127.0.0.1")
            XCTAssertEqual(lo.type, .local)
            XCTAssertEqual(lo.outputName, "lo")
            // No table check: while there are no policy rules IPv4 keeps its local
            // table merged into main, and the kernel answers 254 (`ip route get` too).
            XCTAssertEqual(try s.routeGet("10.0.0.1").type, .local, "h1's own address")

            // No default route: "no route" is an answer, not an error.
            let none = try s.routeGet("192.0.2.1")
            XCTAssertEqual(none.type, .unreachable)
            XCTAssertNil(none.gateway)
            XCTAssertNil(none.outputIndex)
            XCTAssertNil(none.outputName)

            // The same socket still makes other requests after lookups (libnl's
            // sequence numbers are in step), and lookups see their effect.
            try s.addRoute(destination: "default", gateway: "10.0.0.2")
            let viaDefault = try s.routeGet("192.0.2.1")
            XCTAssertEqual(viaDefault.type, .unicast)
            XCTAssertEqual(viaDefault.gateway, "10.0.0.2")
            XCTAssertEqual(viaDefault.outputName, "h1-eth0")
            XCTAssertEqual(viaDefault.preferredSource, "10.0.0.1")
            XCTAssertTrue(try s.routes().contains { $0.destination == "default" && $0.gateway == "10.0.0.2" })

            // With a source: one of h1's own addresses.
            let fromSelf = try s.routeGet("10.0.0.2", source: "10.0.0.1")
            XCTAssertEqual(fromSelf.type, .unicast)
            XCTAssertEqual(fromSelf.outputName, "h1-eth0")

            // IPv6.
            let v6 = try s.routeGet("fd00::2")
            XCTAssertEqual(v6.type, .unicast)
            XCTAssertNil(v6.gateway)
            XCTAssertEqual(v6.outputName, "h1-eth0")
            XCTAssertEqual(v6.preferredSource, "fd00::1")
            let lo6 = try s.routeGet("::1")
            XCTAssertEqual(lo6.type, .local)
            XCTAssertEqual(lo6.outputName, "lo")
            XCTAssertEqual(lo6.table, 255, "IPv6 answers with the local table")
            XCTAssertEqual(try s.routeGet("2001:db8::1").type, .unreachable, "no IPv6 default route")

            // Refusals are errors.
            XCTAssertThrowsError(try s.routeGet("h2")) { XCTAssertTrue($0 is NetlinkError, "\($0)") }
            XCTAssertThrowsError(try s.routeGet("10.0.0.2", source: "fd00::1")) { e in
                XCTAssertEqual((e as? NetlinkError)?.code, 15, "address family mismatch: \(e)")
            }
            XCTAssertThrowsError(try s.routeGet("10.0.0.2", source: "10.0.0.1", inputInterface: 999)) {
                XCTAssertTrue($0 is NetlinkError, "an unknown interface: \($0)")
            }

            // And the socket is still usable.
            XCTAssertEqual(try s.routeGet("10.0.0.2"), h2)
        }
    }

    /// Forwarding lookups (`iif`): a router's decision for a packet arriving on one
    /// interface, and a host's before and after it is told to forward.
    func testForwardingLookups() throws {
        let topo = try Topology.parse(yaml: Self.routed, file: "forward.yaml")
        try withNetwork(topo) { net in
            let r1 = try RouteSocket(namespaceFD: net.namespaceFD(of: "r1"))
            let links = try r1.links()
            let in0 = try XCTUnwrap(links.first { $0.name == "r1-eth0" }).index

            // A packet from h1 arriving on r1-eth0 goes out r1-eth1 to h2, directly.
            let fwd = try r1.routeGet("10.0.2.10", source: "10.0.1.10", inputInterface: in0)
            XCTAssertEqual(fwd.type, .unicast)
            XCTAssertNil(fwd.gateway)
            XCTAssertEqual(fwd.outputName, "r1-eth1")
            // Addressed to the router itself: delivered locally.
            XCTAssertEqual(try r1.routeGet("10.0.2.1", source: "10.0.1.10", inputInterface: in0).type, .local)
            // Nowhere to forward it.
            XCTAssertEqual(try r1.routeGet("192.0.2.1", source: "10.0.1.10", inputInterface: in0).type, .unreachable)
            // IPv4 forwarding lookups need a source: 0.0.0.0 is a martian.
            XCTAssertThrowsError(try r1.routeGet("10.0.2.10", inputInterface: in0)) { e in
                XCTAssertEqual((e as? NetlinkError)?.code, 7, "EINVAL (NLE_INVAL): \(e)")
            }
            // IPv6.
            let fwd6 = try r1.routeGet("fd00:2::10", source: "fd00:1::10", inputInterface: in0)
            XCTAssertEqual(fwd6.type, .unicast)
            XCTAssertEqual(fwd6.outputName, "r1-eth1")
            XCTAssertNil(fwd6.gateway)

            // h2 is a host: it does not forward, and a packet from a neighbour to h1
            // has no route through it; once forwarding is on, it goes to its gateway.
            let h2 = try RouteSocket(namespaceFD: net.namespaceFD(of: "h2"))
            let h2eth0 = try XCTUnwrap(try h2.links().first { $0.name == "h2-eth0" }).index
            let off = try net.run(on: "h2", ["sysctl", "-w", "net.ipv4.ip_forward=0"])
            XCTAssertEqual(off.exitStatus, 0, off.stderr)
            XCTAssertEqual(try h2.routeGet("10.0.1.10", source: "10.0.2.99", inputInterface: h2eth0).type, .unreachable)
            XCTAssertEqual(try h2.routeGet("10.0.1.10").gateway, "10.0.2.1", "its own packets still have a route")
            let on = try net.run(on: "h2", ["sysctl", "-w", "net.ipv4.ip_forward=1"])
            XCTAssertEqual(on.exitStatus, 0, on.stderr)
            let forwarded = try h2.routeGet("10.0.1.10", source: "10.0.2.99", inputInterface: h2eth0)
            XCTAssertEqual(forwarded.type, .unicast)
            XCTAssertEqual(forwarded.gateway, "10.0.2.1")
            XCTAssertEqual(forwarded.outputName, "h2-eth0")
        }
    }
}
