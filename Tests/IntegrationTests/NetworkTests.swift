import Foundation
import Namespaces
import Netlink
import Swiftnet
import XCTest

final class NetworkTests: XCTestCase {
    func testStarPingAllAndNothingLeaks() throws {
        try withNetwork(star(4)) { net in
            let r = net.pingAll()
            XCTAssertEqual(r.sent, 12)
            XCTAssertEqual(r.received, 12, "\(r.results.filter { !$0.received })")
        }
    }

    func testAddressesAndMACsAreWhatTheKernelShows() throws {
        let topo = Topology("addr") {
            Host("h1", ip: "10.1.2.3/16", mac: "02:00:00:00:00:aa", ip6: "fd00::1/64")
            Host("h2")
            Switch("s1")
            Link("h1", "s1", mtu: 1400)
            Link("h2", "s1")
        }
        try withNetwork(topo) { net in
            let s = try RouteSocket(namespaceFD: net.namespaceFD(of: "h1"))
            let links = try s.links()
            let eth0 = try XCTUnwrap(links.first { $0.name == "h1-eth0" })
            XCTAssertEqual(eth0.mac, "02:00:00:00:00:aa")
            XCTAssertEqual(eth0.mtu, 1400)
            XCTAssertTrue(eth0.isUp)
            let addrs = try s.addresses().filter { $0.index == eth0.index }.map(\.cidr)
            XCTAssertTrue(addrs.contains("10.1.2.3/16"), "\(addrs)")
            XCTAssertTrue(addrs.contains("fd00::1/64"), "\(addrs)")
            // `ip -n` style check with the real tool, through the process runner.
            let out = try net.run(on: "h1", ["ip", "-br", "addr", "show", "h1-eth0"])
            XCTAssertTrue(out.stdout.contains("10.1.2.3/16"), out.stdout)
            // h2 got the second address of ipbase.
            let h2 = try net.run(on: "h2", ["ip", "-4", "-o", "addr", "show", "h2-eth0"])
            XCTAssertTrue(h2.stdout.contains("10.0.0.2/8"), h2.stdout)
            // The switch ports are enslaved to the bridge in the fabric namespace.
            let ports = try net.interfaceList(of: "s1")
            let bridge = try XCTUnwrap(ports.first { $0.name == "s1" })
            XCTAssertEqual(bridge.kind, "bridge")
            XCTAssertNil(bridge.master)
            XCTAssertEqual(Set(ports.filter { $0.master == bridge.name }.map(\.name)), ["s1-eth1", "s1-eth2"])
            // Once built, exactly the two ports are reported, both forwarding (3).
            let states = try RouteSocket(namespaceFD: net.namespaceFD(of: "s1")).bridgePortStates()
            XCTAssertEqual(Set(states.keys), Set(ports.filter { $0.master == bridge.name }.map(\.index)))
            XCTAssertEqual(Set(states.values), [3])
        }
    }

    func testIPv6OnlyWhereTheTopologyAsksForIt() throws {
        let topo = Topology("v6") {
            Host("h1", ip6: "fd00::1/64"); Host("h2", ip6: "fd00::2/64"); Host("h3")
            Switch("s1")
            Link("h1", "s1"); Link("h2", "s1"); Link("h3", "s1")
        }
        try withNetwork(topo) { net in
            let r = try net.run(on: "h1", ["ping", "-6", "-n", "-c1", "-W2", "fd00::2"], timeout: .seconds(10))
            XCTAssertTrue(r.succeeded, r.stdout + r.stderr)
            let h1 = try net.run(on: "h1", ["ip", "-6", "-o", "addr", "show", "dev", "h1-eth0"]).stdout
            XCTAssertTrue(h1.contains("fe80::"), h1)
            let h3 = try net.run(on: "h3", ["ip", "-6", "-o", "addr", "show", "dev", "h3-eth0"]).stdout
            XCTAssertEqual(h3, "", "h3 has no ip6, so no IPv6")
        }
        var all = NetworkOptions()
        all.ipv6 = true
        try withNetwork(star(2), options: all) { net in
            let h2 = try net.run(on: "h2", ["ip", "-6", "-o", "addr", "show", "dev", "h2-eth0"]).stdout
            XCTAssertTrue(h2.contains("fe80::"), h2)
        }
    }

    func testDownedLinkMakesThePingsFail() throws {
        let topo = Topology("down") {
            Host("h1"); Host("h2"); Host("h3")
            Switch("s1"); Switch("s2")
            Link("h1", "s1"); Link("h2", "s1"); Link("h3", "s2"); Link("s1", "s2")
        }
        try withNetwork(topo) { net in
            XCTAssertTrue(net.pingAll().allReceived)
            try net.setLink("s1", "s2", up: false)
            let r = net.pingAll()
            let ok = Set(r.results.filter(\.received).map { "\($0.source)>\($0.destination)" })
            XCTAssertEqual(ok, ["h1>h2", "h2>h1"])
            // The ping program agrees with the in-process ICMP probe.
            let byProgram = net.pingAll(method: .program(parallelism: 8))
            XCTAssertEqual(Set(byProgram.results.filter(\.received).map { "\($0.source)>\($0.destination)" }), ok)
            try net.setLink("s1", "s2", up: true)
            XCTAssertTrue(try net.ping(from: "h1", to: "h3").received)
        }
    }

    func testBackgroundProcessesDieAtStop() throws {
        var pid: Int32 = 0
        try withNetwork(star(2)) { net in
            pid = try net.startBackground(on: "h1", ["sh", "-c", "sleep 300 & sleep 300"])
            usleep(100_000)
            XCTAssertEqual(kill(pid, 0), 0)
        }
        XCTAssertNotEqual(kill(pid, 0), 0, "the background process outlived the network")
    }

    func testTwoIdenticalNetworksSideBySide() throws {
        try withNetwork(star(3)) { a in
            try withNetwork(star(3)) { b in
                XCTAssertTrue(a.pingAll().allReceived)
                XCTAssertTrue(b.pingAll().allReceived)
                XCTAssertNotEqual(try a.namespaceFD(of: "h1"), try b.namespaceFD(of: "h1"))
            }
        }
    }

    func testFailureHalfwayLeavesNothing() throws {
        try requireRoot()
        // A second run publishing the same /run/netns names fails after its namespaces,
        // bridges and PID namespace exist: all of that must be released.
        let name = "half\(getpid())"
        let first = Network(try star(2).validated(), options: NetworkOptions(runName: name, publishNamespaces: true))
        try first.start()
        defer { first.stop() }
        let withFirst = try RootSnapshot.take()
        XCTAssertTrue(withFirst.namedNamespaces.contains("\(name)-h1"))
        let second = Network(try star(3).validated(), options: NetworkOptions(runName: name, publishNamespaces: true))
        XCTAssertThrowsError(try second.start()) { error in
            XCTAssertTrue("\(error)".contains("--name"), "\(error)")
        }
        XCTAssertFalse(second.isRunning)
        XCTAssertNil(second.processNamespaceInit)
        XCTAssertEqual(withFirst, try RootSnapshot.take())
        first.stop()
        XCTAssertFalse(try RootSnapshot.take().namedNamespaces.contains("\(name)-h1"))
    }
}
