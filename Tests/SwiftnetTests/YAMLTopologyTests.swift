import XCTest
@testable import Swiftnet

final class YAMLTopologyTests: XCTestCase {
    private func parse(_ text: String) throws -> Topology {
        try Topology.parse(yaml: text, file: "t.yaml")
    }

    /// Expects `text` to be refused, by the parser or by validation, at `line`.
    private func expectRefused(_ text: String, line: Int, _ fragments: String...,
                               sourceLine: UInt = #line) {
        expectTopologyError({ try parse(text).validated() }, line: line, file: "t.yaml",
                            contains: fragments, sourceLine: sourceLine)
    }

    func testExampleParses() throws {
        let t = try parse("""
            name: two-subnets
            ipbase: 10.0.0.0/8            # optional, default 10.0.0.0/8
            hosts:
              h1: {}                      # or `h1:` with null value
              h2: {ip: 10.0.0.2/8, mac: "00:00:00:00:00:02", ip6: "fd00::2/64", gateway: 10.0.0.254}
            switches:
              s1: {}                      # keys: kind (only "lxbr" exists now), stp (bool)
            links:
              - [h1, s1]
              - {endpoints: [h2, s1], mtu: 1400}
            """)
        XCTAssertEqual(t.name, "two-subnets")
        XCTAssertEqual(t.ipBase, "10.0.0.0/8")
        XCTAssertEqual(t.location, SourceLocation(file: "t.yaml", line: 1))
        XCTAssertEqual(t.hosts, [
            HostSpec(name: "h1", location: SourceLocation(file: "t.yaml", line: 4)),
            HostSpec(name: "h2", ip: "10.0.0.2/8", mac: "00:00:00:00:00:02", ip6: "fd00::2/64", gateway: "10.0.0.254",
                     location: SourceLocation(file: "t.yaml", line: 5)),
        ])
        XCTAssertEqual(t.switches, [SwitchSpec(name: "s1", kind: .lxbr, stp: nil, location: SourceLocation(file: "t.yaml", line: 7))])
        XCTAssertEqual(t.links, [
            LinkSpec("h1", "s1", location: SourceLocation(file: "t.yaml", line: 9)),
            LinkSpec("h2", "s1", mtu: 1400, location: SourceLocation(file: "t.yaml", line: 10)),
        ])
        let v = try t.validated()
        XCTAssertEqual(v.host("h1")?.ip.description, "10.0.0.1/8")
        XCTAssertEqual(v.host("h2")?.mac?.description, "00:00:00:00:00:02")
    }

    func testBlockStyleAndRawScalars() throws {
        let t = try parse("""
            hosts:
              h1:
                mac: 00:00:00:00:00:02
                ip6: fd00::1/64
              h2:
                mac: 00:00:00:01:00:00
                ip: 10.0.0.20
            switches:
              s1:
                kind: lxbr
                stp: yes
              s2: ~
            links:
              - endpoints:
                  - h1
                  - s1
                mtu: 9000
              -
                - h2
                - s2
            """)
        // Unquoted MACs look like YAML 1.1 base-60 numbers; they must stay text as written.
        XCTAssertEqual(t.hosts[0].mac, "00:00:00:00:00:02")
        XCTAssertEqual(t.hosts[1].mac, "00:00:00:01:00:00")
        XCTAssertEqual(t.hosts[0].ip6, "fd00::1/64")
        XCTAssertEqual(t.hosts[1].ip, "10.0.0.20")
        XCTAssertEqual(t.switches.map(\.stp), [true, nil])
        // A block-sequence item starts at its first entry (line 19), not at the bare dash.
        XCTAssertEqual(t.links.map(\.location?.line), [14, 19])
        XCTAssertEqual(t.links[0].mtu, 9000)
        XCTAssertEqual(t.links[1].a, "h2")
        XCTAssertEqual(t.name, "t", "no name: the file's base name")
    }

    func testNameDefaultsToTheFileBaseName() throws {
        let body = "hosts: {h1: }\nswitches: {s1: }\nlinks: [[h1, s1]]\n"
        XCTAssertEqual(try Topology.parse(yaml: body, file: "/some/dir/lab-one.yaml").name, "lab-one")
        XCTAssertEqual(try Topology.parse(yaml: body, file: "dir/my.lab.yml").name, "my.lab")
        XCTAssertEqual(try Topology.parse(yaml: body, file: "plain").name, "plain")
        XCTAssertEqual(try Topology.parse(yaml: "name: given\n" + body, file: "x.yaml").name, "given")
    }

    func testEmptySectionsAreEmpty() throws {
        let t = try parse("name: empty\nhosts:\nswitches:\nlinks:\n")
        XCTAssertEqual(t.hosts, [])
        XCTAssertEqual(t.switches, [])
        XCTAssertEqual(t.links, [])
    }

    // MARK: Structural errors, with exact lines

    /// Links may name their interfaces (Mininet's intfName1/intfName2); a name twice on a
    /// host, or twice among the switches (they share the fabric), is refused.
    func testLinksNameTheirInterfaces() throws {
        let t = try parse("""
            hosts: {r0: {ip: 10.0.0.9/8}, h1: {}}
            switches: {s1: {}, s2: {}}
            links:
              - {endpoints: [s1, r0], interfaces: [s1-eth1, r0-eth1]}
              - {endpoints: [s2, r0], interfaces: [s2-eth1, r0-eth2]}
              - [h1, s1]
            """).validated()
        XCTAssertEqual(t.links.map { [$0.a.interface, $0.b.interface] },
                       [["s1-eth1", "r0-eth1"], ["s2-eth1", "r0-eth2"], ["h1-eth0", "s1-eth2"]])
        XCTAssertEqual(t.host("r0")?.interfaces, ["r0-eth1", "r0-eth2"])
        expectRefused("""
            hosts: {h1: {}}
            switches: {s1: {}}
            links:
              - {endpoints: [h1, s1], interfaces: [h1-eth0, s1-eth1]}
              - {endpoints: [h1, s1], interfaces: [h1-eth0, s1-eth2]}
            """, line: 5, "interface 'h1-eth0' of 'h1', which 'h1' has already")
        expectRefused("""
            hosts: {h1: {}, h2: {}}
            switches: {s1: {}, s2: {}}
            links:
              - {endpoints: [h1, s1], interfaces: [h1-eth0, port1]}
              - {endpoints: [h2, s2], interfaces: [h2-eth0, port1]}
            """, line: 5, "interface 'port1' of 's2', which 's1' has already")
        expectRefused("""
            hosts: {h1: {}}
            switches: {s1: {}}
            links:
              - {endpoints: [h1, s1], interfaces: [h1 eth0, s1-eth1]}
            """, line: 4, "'interfaces' must name the two ends' interfaces")
    }

    func testUnknownTopLevelKey() {
        expectRefused("""
            name: x
            hostz:
              h1: {}
            """, line: 2, "unknown top-level key 'hostz'", "name, ipbase, ipbase6, hosts, routers, switches, links", "did you mean 'hosts'")
    }

    func testUnknownHostSwitchAndLinkKeys() {
        expectRefused("""
            hosts:
              h1: {}
              h2:
                ip: 10.0.0.2/8
                ipv6: fd00::2/64
            """, line: 5, "host 'h2' has unknown key 'ipv6'", "ip, mac, ip6, gateway", "did you mean 'ip6'")
        expectRefused("""
            switches:
              s1: {stp: true, protocol: rstp}
            """, line: 2, "switch 's1' has unknown key 'protocol'", "kind, stp")
        expectRefused("""
            hosts: {h1: }
            switches: {s1: }
            links:
              - [h1, s1]
              - {mut: 1400, endpoints: [s1, h1]}
            """, line: 5, "link s1-h1 has unknown key 'mut'", "endpoints, interfaces, ips, mtu", "did you mean 'mtu'")
    }

    func testDuplicateKeys() {
        // A repeated host: the error points at the repeat and names the first.
        expectRefused("""
            name: dup
            hosts:
              h1: {}
              h2: {}
              h1: {ip: 10.0.0.9/8}
            """, line: 5, "duplicate key 'h1' in hosts", "first at line 3")
        // Within one flow mapping on one line.
        expectRefused("""
            hosts:
              h1: {ip: 10.0.0.1/8, ip: 10.0.0.2/8}
            """, line: 2, "duplicate key 'ip' in host 'h1'", "first at line 2")
        // A top-level key twice, with other mappings in between.
        expectRefused("""
            name: a
            hosts:
              h1: {}
            switches:
              s1: {}
            hosts:
              h2: {}
            """, line: 6, "duplicate key 'hosts' at the top level", "first at line 2")
        // Three times: the second occurrence is the one reported.
        expectRefused("""
            switches:
              s1:
              s1:
              s1:
            """, line: 3, "duplicate key 's1'", "first at line 2")
        // Spelled differently, same text: found by our own walk.
        expectRefused("""
            switches:
              s1:
              "s1":
            """, line: 3, "duplicate key 's1'")
        expectRefused("""
            hosts:
              h1: {mac: "02:00:00:00:00:01", 'mac': "02:00:00:00:00:02"}
            """, line: 2, "duplicate key 'mac' in host 'h1'")
        expectRefused("""
            links:
              - [h1, s1]
              - {endpoints: [h2, s1], mtu: 1400, mtu: 1500}
            """, line: 3, "duplicate key 'mtu' in link #2")
        // Keys that YAML tells apart (a number and a text) but that name the same host.
        expectRefused("""
            hosts:
              1: {}
              "1": {}
            """, line: 3, "duplicate key '1' in hosts", "first at line 2")
    }

    func testWrongTypes() {
        expectRefused("""
            name: x
            hosts:
              - h1
              - h2
            """, line: 2, "'hosts' must be a mapping", "found a list")
        expectRefused("""
            switches: [s1, s2]
            """, line: 1, "'switches' must be a mapping", "found a list")
        expectRefused("""
            links:
              h1: s1
            """, line: 1, "'links' must be a list", "found a mapping")
        expectRefused("""
            hosts:
              h1: [10.0.0.1/8]
            """, line: 2, "host 'h1' must have a mapping of options", "found a list")
        expectRefused("""
            hosts:
              h1: 10.0.0.1/8
            """, line: 2, "host 'h1' must have a mapping of options", "'10.0.0.1/8'")
        expectRefused("""
            hosts:
              h1:
                ip: [10.0.0.1/8]
            """, line: 3, "host 'h1': 'ip' must be a single value")
        expectRefused("""
            name: [a, b]
            """, line: 1, "'name' must be a single value")
        expectRefused("""
            - name: x
            """, line: 1, "top level must be a mapping", "found a list")
        expectRefused("hosts:\nname: ''\n", line: 2, "'name' is empty")
    }

    func testMTUMustBeAnInteger() {
        let head = "hosts: {h1: }\nswitches: {s1: }\nlinks:\n"
        expectRefused(head + "  - {endpoints: [h1, s1], mtu: big}\n", line: 4, "link h1-s1: 'mtu' must be a whole number", "'big'")
        expectRefused(head + "  - {endpoints: [h1, s1], mtu: 1400.5}\n", line: 4, "'1400.5'")
        expectRefused(head + "  - {endpoints: [h1, s1], mtu: \"1400\"}\n", line: 4, "whole number")
        expectRefused(head + "  - {endpoints: [h1, s1], mtu: 0x578}\n", line: 4, "whole number")
        expectRefused(head + "  - {endpoints: [h1, s1], mtu: [1400]}\n", line: 4, "whole number", "a list")
        expectRefused(head + "  - {endpoints: [h1, s1], mtu: 99999999999999999999999}\n", line: 4, "whole number")
        // An integer out of range is validation's business, at the same line.
        expectRefused(head + "  - [h1, s1]\n  - {endpoints: [s1, h1], mtu: 40}\n", line: 5, "mtu 40", "68 to 65535")
    }

    func testSTPMustBeABool() {
        expectRefused("switches:\n  s1: {stp: maybe}\n", line: 2, "'stp' must be true or false", "'maybe'")
        expectRefused("switches:\n  s1: {stp: \"true\"}\n", line: 2, "'stp' must be true or false")
        expectRefused("switches:\n  s1: {stp: 2}\n", line: 2, "'stp' must be true or false")
        XCTAssertEqual(try parse("switches:\n  s1: {stp: false}\n").switches[0].stp, false)
    }

    func testLinkShapes() {
        let head = "hosts: {h1: , h2: }\nswitches: {s1: }\nlinks:\n  - [h2, s1]\n"
        expectRefused(head + "  - [h1]\n", line: 5, "link #2 must name exactly two nodes", "1 item", "[h1, s1]")
        expectRefused(head + "  - [h1, s1, h2]\n", line: 5, "link #2 must name exactly two nodes", "3 items")
        expectRefused(head + "  - [h1, {x: 1}]\n", line: 5, "link #2 must name exactly two nodes", "not a node name")
        expectRefused(head + "  - [h1, ~]\n", line: 5, "exactly two nodes")
        expectRefused(head + "  - h1-s1\n", line: 5, "link #2 is 'h1-s1'", "{endpoints: [h1, s1], mtu: 1400}")
        expectRefused(head + "  - {mtu: 1400}\n", line: 5, "link #2 has no 'endpoints'")
        expectRefused(head + "  - {endpoints: h1}\n", line: 5, "'endpoints' must be a list of two node names")
        expectRefused(head + "  -\n    endpoints: [h1]\n    mtu: 1400\n", line: 6, "link #2 must name exactly two nodes")
    }

    func testUnknownSwitchKind() {
        expectRefused("""
            switches:
              s1:
                kind: ovs
            """, line: 3, "switch 's1' has kind 'ovs'", "the kinds that exist are: lxbr")
    }

    func testSyntaxErrors() {
        // An unclosed flow sequence.
        expectRefused("""
            hosts: {h1: }
            switches: {s1: }
            links:
              - [h1, s1
            """, line: 5, "YAML syntax error")
        // A key indented wrongly.
        expectRefused("""
            hosts:
              h1: {}
               h2: {}
            """, line: 3, "YAML syntax error", "did not find expected key", "check the indentation")
        // A tab where indentation is expected.
        expectRefused("hosts:\n\th1: {}\n", line: 2, "YAML syntax error")
        // Two documents.
        expectRefused("name: a\n---\nname: b\n", line: 2, "YAML syntax error", "another document")
        expectRefused("hosts: *nowhere\n", line: 1, "YAML syntax error", "undefined alias")
    }

    func testEmptyFile() {
        expectRefused("", line: 1, "no topology")
        expectRefused("# only a comment\n", line: 1, "no topology")
    }

    // MARK: Semantic errors come out at the right line

    func testValidationErrorsCarryYAMLLines() {
        expectRefused("""
            hosts:
              h1: {}
            switches:
              s1: {}
            links:
              - [h1, s1]
              - [h1, s7]
            """, line: 7, "'s7'", "not a host or switch")
        expectRefused("""
            hosts:
              h1: {}
            switches:
              s1: {}
              h1: {}
            links:
              - [h1, s1]
            """, line: 5, "duplicate node name 'h1'", "t.yaml:2")
        expectRefused("""
            hosts:
              h1: {}
              h2: {mac: "01:00:00:00:00:02"}
            switches:
              s1: {}
            links:
              - [h1, s1]
              - [h2, s1]
            """, line: 3, "multicast")
        expectRefused("""
            hosts:
              h1: {ip: 10.0.0.1/40}
            switches:
              s1: {}
            links:
              - [h1, s1]
            """, line: 2, "'10.0.0.1/40'")
        expectRefused("""
            hosts:
              h1: {}
              h2: {}
            switches:
              s1: {}
            links:
              - [h1, s1]
            """, line: 3, "'h2' has no link")
        expectRefused("""
            hosts:
              h1: {}
              webserver01: {}
            switches:
              s1: {}
            links:
              - [h1, s1]
              - [webserver01, s1]
            """, line: 8, "15", "webserver01")
        expectRefused("""
            hosts:
              h1: {}
            switches:
              s1: {}
              s2: {stp: false}
              s3: {}
            links:
              - [h1, s1]
              - [s1, s2]
              - [s2, s3]
              - [s3, s1]
            """, line: 5, "'s2' has stp off")
        expectRefused("""
            ipbase: 10.0.0.0/31
            hosts:
              h1: {}
            """, line: 1, "ipbase '10.0.0.0/31'")
    }

    // MARK: Files

    func testUnreadableFile() {
        let missing = "/nonexistent/dir/topo.yaml"
        expectTopologyError({ try Topology.load(yamlFile: missing) }, line: nil,
                            contains: [missing, "No such file or directory", "cannot read topology file"])
        let dir = NSTemporaryDirectory()
        expectTopologyError({ try Topology.load(yamlFile: dir) }, line: nil, contains: [dir, "Is a directory"])
    }

    func testLoadFromFileUsesPathInLocationsAndName() throws {
        let dir = NSTemporaryDirectory() + "swiftnet-yaml-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/office-lab.yaml"
        try "hosts:\n  h1:\nswitches:\n  s1:\nlinks:\n  - [h1, s1]\n  - [h1, s2]\n".write(toFile: path, atomically: false, encoding: .utf8)
        let t = try Topology.load(yamlFile: path)
        XCTAssertEqual(t.name, "office-lab")
        XCTAssertEqual(t.location, SourceLocation(file: path, line: 1))
        XCTAssertEqual(t.hosts[0].location, SourceLocation(file: path, line: 2))
        let e = expectTopologyError({ try t.validated() }, line: 7, file: path, contains: ["'s2'"])
        XCTAssertEqual(e?.description.hasPrefix("\(path):7: "), true)

        let bad = dir + "/latin1.yaml"
        try Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: bad))
        expectTopologyError({ try Topology.load(yamlFile: bad) }, line: nil, contains: [bad, "UTF-8"])
    }

    func testShippedTopologiesLoadAndValidate() throws {
        let two = try Topology.load(yamlFile: packageRoot + "/Topologies/two-subnets.yaml")
        XCTAssertEqual(two.name, "two-subnets")
        let v = try two.validated()
        XCTAssertEqual(v.hosts.map(\.name), ["h1", "h2", "h3", "h4"])
        XCTAssertEqual(v.switches.map(\.name), ["s1", "s2"])
        XCTAssertEqual(v.host("h1")?.ip.description, "10.0.0.1/8")
        XCTAssertEqual(v.host("h2")?.ip.description, "10.0.0.2/8")
        XCTAssertEqual(v.host("h2")?.mac?.description, "00:00:00:00:00:02")
        XCTAssertTrue(v.hosts.allSatisfy { $0.ip.prefixLength == 8 && v.ipBase.contains($0.ip.address) }, "one subnet")
        XCTAssertEqual(v.links.compactMap(\.mtu), [1400])
        XCTAssertTrue(v.links.contains { $0.a.node == "s1" && $0.b.node == "s2" })
        XCTAssertFalse(v.hasLoop)

        let ring = try Topology.load(yamlFile: packageRoot + "/Topologies/ring.yaml").validated()
        XCTAssertEqual(ring.switches.count, 3)
        XCTAssertEqual(ring.hosts.count, 3)
        XCTAssertTrue(ring.hasLoop)
        XCTAssertTrue(ring.switches.allSatisfy(\.stp))

        let mtu = try Topology.load(yamlFile: packageRoot + "/Topologies/mtu-demo.yaml").validated()
        XCTAssertEqual(mtu.links.compactMap(\.mtu), [1400])
        XCTAssertEqual(mtu.host("h2")?.ip.description, "10.0.0.2/8")
        XCTAssertNotNil(mtu.host("h2")?.mac)
    }
}
