import Foundation
import Netlink
import Swiftnet
import XCTest

/// Routers, static and dynamic routing, and the routing checks, on real namespaces.
final class RoutingTests: FileTestCase {
    func requireFRR() throws {
        try requireProgram("\(Network.frrDaemons)/zebra", "FRR (make deps installs frr)")
    }

    /// Three routers in a line, static routes: reachability, route lookups, paths, a
    /// black hole, traceroute, and routes coming back after a link goes down and up.
    func testStaticRoutingExample() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let r = try CLI.run(["test", CLI.packageRoot + "/Examples/static-routing.yaml"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").last, "15 passed, 0 failed", r.stdout)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// Each routing check failing, with what it saw; a forwarding loop found by `path`.
    func testRoutingChecksFailWithWhatTheySaw() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let file = try write("bad.yaml", """
            routers: {r1: {}, r2: {}}
            hosts:
              h1: {ip: 10.0.1.10/24, gateway: 10.0.1.1}
              h2: {ip: 10.0.2.10/24, gateway: 10.0.2.1}
              h3: {ip: 10.0.3.10/24, gateway: 10.0.3.1}
            links:
              - {endpoints: [h1, r1], ips: [~, 10.0.1.1/24]}
              - {endpoints: [r1, r2], ips: [10.1.0.1/30, 10.1.0.2/30]}
              - {endpoints: [r2, h2], ips: [10.0.2.1/24, ~]}
              - {endpoints: [r2, h3], ips: [10.0.3.1/24, ~]}
            routes:
              r1: [{to: 10.0.2.0/24, via: 10.1.0.2}, {to: 10.9.0.0/16, via: 10.1.0.2}]
              r2: [{to: 10.0.1.0/24, via: 10.1.0.1}, {to: 10.9.0.0/16, via: 10.1.0.1}]
            experiment:
              - ping: {from: h1, to: h2}
              - path: {from: h1, to: 10.9.1.1, expect: loop}
              - path: {from: h1, to: h2, expect: [r1]}
              - path: {from: h1, to: h2, expect: blackhole}
              - path: {from: h1, to: 10.9.1.1, expect: [r1, r2]}
              - route: {on: r1, to: h2, expect_via: 10.1.0.9}
              - route: {on: r1, to: h2, expect_dev: r1-eth0}
              - route: {on: r1, to: h2, expect: unreachable}
              - route: {on: r1, to: 192.0.2.1, expect: unreachable}
              - traceroute: {from: h1, to: h2, expect: [r2, r1]}
              - converge: {timeout: 1s}
              - ping: {from: h1, to: 10.9.1.1, expect: fail}
            """)
        let r = try CLI.run(["test", file])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        let out = r.stdout
        XCTAssertEqual(out.split(separator: "\n").last, "4 passed, 8 failed", out)
        for n in [1, 2, 9, 12] { XCTAssertTrue(out.contains("  ok    #\(n) "), "step \(n) passes\n\(out)") }
        XCTAssertTrue(out.contains("expected r1, got r1 -> r2"), out)
        XCTAssertTrue(out.contains("expected a black hole, got r1 -> r2"), out)
        XCTAssertTrue(out.contains("expected r1 -> r2, got a loop back to r1: h1 -> r1 -> r2 -> r1"), out)
        XCTAssertTrue(out.contains("expected via 10.1.0.9, got via 10.1.0.2 dev r1-eth1"), out)
        XCTAssertTrue(out.contains("expected dev r1-eth0, got via 10.1.0.2 dev r1-eth1"), out)
        XCTAssertTrue(out.contains("expected no route, got via 10.1.0.2 dev r1-eth1"), out)
        XCTAssertTrue(out.contains("expected r2 -> r1, got r1 -> r2"), out)
        XCTAssertTrue(out.contains("FAIL  #11 converge  ("), out)
        XCTAssertTrue(out.contains("expected every router reaches every subnet, got r1 lacks 10.0.3.0/24"), "r1 has no route to h3's LAN, only to h2's\n\(out)")
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// IPv6 addresses and static routes: ping6, lookups and paths across two routers.
    func testIPv6StaticRouting() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let file = try write("v6.yaml", """
            routers: {r1: {}, r2: {}}
            hosts: {h1: {}, h2: {}}
            links:
              - {endpoints: [h1, r1], ips: [["10.0.1.10/24", "fd00:1::10/64"], ["10.0.1.1/24", "fd00:1::1/64"]]}
              - {endpoints: [r1, r2], ips: [["10.1.0.1/30", "fd00:ff::1/64"], ["10.1.0.2/30", "fd00:ff::2/64"]]}
              - {endpoints: [r2, h2], ips: [["10.0.2.1/24", "fd00:2::1/64"], ["10.0.2.10/24", "fd00:2::10/64"]]}
            routes:
              h1: [{to: default6, via: "fd00:1::1"}]
              h2: [{to: default6, via: "fd00:2::1"}]
              r1: [{to: "fd00:2::/64", via: "fd00:ff::2"}]
              r2: [{to: "fd00:1::/64", via: "fd00:ff::1"}]
            experiment:
              - ping: {from: h1, to: "fd00:2::10", within: 5s}
              - route: {on: r1, to: "fd00:2::10", expect_via: "fd00:ff::2", expect_dev: r1-eth1}
              - path: {from: h1, to: "fd00:2::10", expect: [r1, r2]}
              - path: {from: h2, to: "fd00:1::10", expect: [r2, r1]}
              - ping: {from: h1, to: h2, expect: fail}
            """)
        let r = try CLI.run(["test", file])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").last, "5 passed, 0 failed", r.stdout)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// OSPF on a triangle: the path moves when a link fails and comes back when it
    /// returns; the FRR daemons run while the network is up and are gone after.
    func testOSPFFailoverAndNoFRRLeftBehind() throws {
        try requireRoot()
        try requireFRR()
        let before = try RootSnapshot.take()
        let r = try CLI.run(["test", CLI.packageRoot + "/Examples/ospf-failover.yaml"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").last, "10 passed, 0 failed", r.stdout)
        XCTAssertEqual(before, try RootSnapshot.take())

        // While it runs: zebra and ospfd on each router, as processes of the run.
        let (p, out) = try CLI.start(["run", CLI.packageRoot + "/Examples/ospf-failover.yaml"], waitFor: "Network is up")
        let mine = pidNamespaceInode(of: getpid())
        let runNS = try XCTUnwrap(childPIDs(of: p.processIdentifier).compactMap { pidNamespaceInode(of: $0) }.first { $0 != mine })
        let names = processes(inPIDNamespace: runNS).compactMap { try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8) }
        XCTAssertEqual(names.filter { $0.hasPrefix("zebra") }.count, 3, "\(names)")
        XCTAssertEqual(names.filter { $0.hasPrefix("ospfd") }.count, 3, "\(names)")
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let text = readRest(out)
        XCTAssertTrue(text.contains("*** Done"), text)
        XCTAssertTrue(eventually { processes(inPIDNamespace: runNS).isEmpty }, "no FRR process is left")
        XCTAssertTrue(eventually { (try? RootSnapshot.take()) == before }, "\(String(describing: try? RootSnapshot.take()))")
    }

    /// eBGP between three ASes with autoaddress; vtysh inside a router sees its peers.
    func testBGPExample() throws {
        try requireRoot()
        try requireFRR()
        let before = try RootSnapshot.take()
        let r = try CLI.run(["test", CLI.packageRoot + "/Examples/bgp-line.yaml"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").last, "5 passed, 0 failed", r.stdout)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// The shell's `route` and `path`, and routers left out of pingall.
    func testShellRouteAndPath() throws {
        try requireRoot()
        let r = try CLI.run(["--custom", CLI.packageRoot + "/Examples/static-routing.yaml"],
                            stdin: try write("cmds", "route r2\nroute r1 10.0.3.10\nroute r1 10.1.0.6\npath h1 h3\npath h1 10.1.0.6\npingall\nr2 hostname\n"))
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("10.0.1.0/24 via 10.1.0.1 dev r2-eth0\n10.0.3.0/24 via 10.1.0.6 dev r2-eth1\n10.1.0.0/30 dev r2-eth0\n10.1.0.4/30 dev r2-eth1\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("10.0.3.10 via 10.1.0.2 dev r1-eth1 src 10.1.0.1\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("10.1.0.6: unreachable (no route)\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("h1 -> r1 -> r2 -> r3 -> h3\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("h1 -> r1  (black hole at r1: unreachable)\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("h1 -> h3 \nh3 -> h1 \n*** Results: 0% dropped (2/2 received)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\nr2\n"), r.stdout)
    }
}
