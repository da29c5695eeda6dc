import XCTest
@testable import Swiftnet

final class BuiltinTopologyTests: XCTestCase {
    private func pairs(_ t: Topology) -> [String] { t.links.map { "\($0.a)-\($0.b)" } }

    func testNames() {
        XCTAssertEqual(Topology.builtinNames, ["minimal", "single", "reversed", "linear", "tree", "torus"])
    }

    /// Mininet's SingleSwitchReversedTopo: hosts in order, ports reversed (h1 on the last).
    func testReversed() throws {
        let t = try Topology.builtin("reversed,3")
        XCTAssertEqual(t.hosts.map(\.name), ["h1", "h2", "h3"])
        let v = try t.validated()
        XCTAssertEqual(v.links.map { "\($0.a.interface)-\($0.b.interface)" }, ["h3-eth0-s1-eth1", "h2-eth0-s1-eth2", "h1-eth0-s1-eth3"])
        XCTAssertEqual(v.hosts.map(\.ip.description), ["10.0.0.1/8", "10.0.0.2/8", "10.0.0.3/8"])
    }

    func testMinimal() throws {
        let t = try Topology.builtin("minimal")
        XCTAssertEqual(t.name, "minimal")
        XCTAssertEqual(t.hosts.map(\.name), ["h1", "h2"])
        XCTAssertEqual(t.switches.map(\.name), ["s1"])
        XCTAssertEqual(pairs(t), ["h1-s1", "h2-s1"])
        let v = try t.validated()
        XCTAssertEqual(v.switches[0].interfaces, ["s1-eth1", "s1-eth2"])
        XCTAssertEqual(v.hosts.map(\.ip.description), ["10.0.0.1/8", "10.0.0.2/8"])
    }

    func testSingle() throws {
        let t = try Topology.builtin("single,4")
        XCTAssertEqual(t.name, "single-4")
        XCTAssertEqual(t.hosts.map(\.name), ["h1", "h2", "h3", "h4"])
        XCTAssertEqual(t.switches.map(\.name), ["s1"])
        XCTAssertEqual(pairs(t), ["h1-s1", "h2-s1", "h3-s1", "h4-s1"])
        XCTAssertEqual(try Topology.builtin("single,k=4"), t)
        XCTAssertEqual(try Topology.builtin("single").hosts.count, 2, "Mininet's default k=2")
        XCTAssertEqual(try Topology.builtin("single,1").validated().hosts.map(\.name), ["h1"])
    }

    func testLinearPortsMatchMininet() throws {
        let t = try Topology.builtin("linear,3")
        XCTAssertEqual(t.name, "linear-3")
        XCTAssertEqual(t.hosts.map(\.name), ["h1", "h2", "h3"])
        XCTAssertEqual(t.switches.map(\.name), ["s1", "s2", "s3"])
        XCTAssertEqual(pairs(t), ["h1-s1", "h2-s2", "s2-s1", "h3-s3", "s3-s2"])
        let v = try t.validated()
        XCTAssertEqual(v.switches[1].interfaces, ["s2-eth1", "s2-eth2", "s2-eth3"])
        let s2 = v.links.flatMap { [($0.a, $0.b), ($0.b, $0.a)] }.filter { $0.0.node == "s2" }
        let faces = Dictionary(uniqueKeysWithValues: s2.map { ($0.0.interface, $0.1.node) })
        XCTAssertEqual(faces, ["s2-eth1": "h2", "s2-eth2": "s1", "s2-eth3": "s3"])
        XCTAssertFalse(v.hasLoop)
        XCTAssertEqual(try Topology.builtin("linear").switches.count, 2, "Mininet's default k=2")
        XCTAssertEqual(try Topology.builtin("linear,k=3"), t)
    }

    func testLinearWithSeveralHostsPerSwitch() throws {
        let t = try Topology.builtin("linear,2,3")
        XCTAssertEqual(t.name, "linear-2-3")
        XCTAssertEqual(t.hosts.map(\.name), ["h1s1", "h2s1", "h3s1", "h1s2", "h2s2", "h3s2"])
        XCTAssertEqual(pairs(t), ["h1s1-s1", "h2s1-s1", "h3s1-s1", "h1s2-s2", "h2s2-s2", "h3s2-s2", "s2-s1"])
        XCTAssertEqual(try Topology.builtin("linear,n=3,k=2"), t)
        XCTAssertEqual(try Topology.builtin("linear,2,n=3"), t)
        // Natural order for addresses: h1s1, h1s2, h2s1, ...
        let v = try t.validated()
        XCTAssertEqual(v.hosts.prefix(3).map(\.name), ["h1s1", "h1s2", "h2s1"])
        XCTAssertEqual(v.host("h1s2")?.ip.description, "10.0.0.2/8")
    }

    func testTree() throws {
        let t = try Topology.builtin("tree,2,3")
        XCTAssertEqual(t.name, "tree-2-3")
        XCTAssertEqual(t.hosts.count, 9)
        XCTAssertEqual(t.switches.count, 4)
        XCTAssertEqual(t.links.count, 12)
        XCTAssertEqual(t.hosts.map(\.name), (1...9).map { "h\($0)" })
        XCTAssertEqual(t.switches.map(\.name), ["s1", "s2", "s3", "s4"])
        XCTAssertEqual(pairs(t), ["s2-h1", "s2-h2", "s2-h3", "s1-s2",
                                  "s3-h4", "s3-h5", "s3-h6", "s1-s3",
                                  "s4-h7", "s4-h8", "s4-h9", "s1-s4"])
        XCTAssertEqual(try Topology.builtin("tree,depth=2,fanout=3"), t)
        XCTAssertEqual(try Topology.builtin("tree,fanout=3,2"), t, "positional fills the first free parameter, as in Python")
        let v = try t.validated()
        XCTAssertEqual(v.switches[0].interfaces, ["s1-eth1", "s1-eth2", "s1-eth3"])
        XCTAssertEqual(v.switches[1].interfaces, ["s2-eth1", "s2-eth2", "s2-eth3", "s2-eth4"])
        XCTAssertEqual(v.links[3].b.interface, "s2-eth4", "s2's uplink comes after its hosts")
        XCTAssertFalse(v.hasLoop)

        let d = try Topology.builtin("tree")
        XCTAssertEqual(d.name, "tree-1-2")
        XCTAssertEqual(pairs(d), ["s1-h1", "s1-h2"])
        XCTAssertEqual(try Topology.builtin("tree,3,2").hosts.count, 8)
        XCTAssertEqual(try Topology.builtin("tree,3,2").switches.count, 7)
    }

    func testTorus() throws {
        let t = try Topology.builtin("torus,3,3")
        XCTAssertEqual(t.name, "torus-3-3")
        XCTAssertEqual(t.switches.count, 9)
        XCTAssertEqual(t.hosts.count, 9)
        XCTAssertEqual(t.switches.map(\.name), ["s1x1", "s1x2", "s1x3", "s2x1", "s2x2", "s2x3", "s3x1", "s3x2", "s3x3"])
        XCTAssertEqual(t.hosts.first?.name, "h1x1")
        let switchNames = Set(t.switches.map(\.name))
        let switchLinks = t.links.filter { switchNames.contains($0.a) && switchNames.contains($0.b) }
        XCTAssertEqual(switchLinks.count, 18)
        XCTAssertEqual(t.links.count, 27)
        XCTAssertEqual(Array(pairs(t).prefix(2)), ["h1x1-s1x1", "h1x2-s1x2"])
        XCTAssertEqual(Array(switchLinks.prefix(4).map { "\($0.a)-\($0.b)" }),
                       ["s1x1-s1x2", "s1x1-s2x1", "s1x2-s1x3", "s1x2-s2x2"])
        XCTAssertEqual(switchLinks.last.map { "\($0.a)-\($0.b)" }, "s3x3-s1x3")
        let v = try t.validated()
        XCTAssertTrue(v.hasLoop)
        XCTAssertTrue(v.switches.allSatisfy(\.stp))
        // Each switch: its host on eth1, then four switch links.
        XCTAssertTrue(v.switches.allSatisfy { $0.interfaces.count == 5 })

        let n2 = try Topology.builtin("torus,3,4,2")
        XCTAssertEqual(n2.name, "torus-3-4-2")
        XCTAssertEqual(n2.hosts.count, 24)
        XCTAssertEqual(Array(n2.hosts.prefix(3).map(\.name)), ["h1x1x1", "h1x1x2", "h1x2x1"])
        XCTAssertEqual(n2.links.count, 24 + 24)
        XCTAssertNoThrow(try n2.validated())
    }

    func testEveryBuiltinValidates() throws {
        for spec in ["minimal", "single,5", "linear,4,2", "tree,3,3", "torus,4,3"] {
            XCTAssertNoThrow(try Topology.builtin(spec).validated(), spec)
        }
    }

    func testBadSpecs() {
        expectTopologyError({ try Topology.builtin("tree,depth=x") }, line: nil,
                            contains: ["depth=x is not a whole number", "tree,depth=D,fanout=F"])
        expectTopologyError({ try Topology.builtin("linear,0") }, line: nil,
                            contains: ["k=0 is too small", "at least 1", "linear,K[,N]"])
        expectTopologyError({ try Topology.builtin("bogus,3") }, line: nil,
                            contains: ["unknown topology 'bogus'", "minimal, single, reversed, linear, tree, torus"])
        expectTopologyError({ try Topology.builtin("torus,2,2") }, line: nil,
                            contains: ["x=2 is too small", "at least 3", "torus,X,Y[,N]"])
        expectTopologyError({ try Topology.builtin("torus,3") }, line: nil, contains: ["y is missing", "torus,X,Y[,N]"])
        expectTopologyError({ try Topology.builtin("minimal,3") }, line: nil, contains: ["takes no arguments"])
        expectTopologyError({ try Topology.builtin("single,2,3") }, line: nil, contains: ["too many arguments"])
        expectTopologyError({ try Topology.builtin("single,k=2,k=3") }, line: nil, contains: ["k is given more than once"])
        expectTopologyError({ try Topology.builtin("tree,2,depth=3") }, line: nil, contains: ["depth is given more than once"])
        expectTopologyError({ try Topology.builtin("tree,levels=2") }, line: nil, contains: ["no parameter 'levels'", "depth, fanout"])
        expectTopologyError({ try Topology.builtin("linear,,2") }, line: nil, contains: ["empty argument"])
        expectTopologyError({ try Topology.builtin("") }, line: nil, contains: ["needs a topology name"])
        expectTopologyError({ try Topology.builtin("tree,depth=20,fanout=10") }, line: nil, contains: ["nodes", "at most"])
    }
}
