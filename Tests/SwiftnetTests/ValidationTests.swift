import XCTest
@testable import Swiftnet

final class ValidationTests: XCTestCase {
    private func loc(_ line: Int) -> SourceLocation { SourceLocation(file: "model", line: line) }

    /// One switch with `hosts` attached, in the order given.
    private func star(_ hosts: [HostSpec], ipBase: String = "10.0.0.0/8") -> Topology {
        Topology(name: "star", ipBase: ipBase, hosts: hosts, switches: [SwitchSpec(name: "s1")],
                 links: hosts.map { LinkSpec($0.name, "s1", location: nil) })
    }

    func testDefaultAddressesFollowNaturalNameOrder() throws {
        let names = ["h10", "h2", "h1", "h9", "h11", "h3", "h4", "h5", "h6", "h7", "h8"]
        let v = try star(names.map { HostSpec(name: $0) }).validated()
        XCTAssertEqual(v.hosts.map(\.name), (1...11).map { "h\($0)" })
        for (i, h) in v.hosts.enumerated() {
            XCTAssertEqual(h.ip.description, "10.0.0.\(i + 1)/8", h.name)
        }
        XCTAssertEqual(v.host("h10")?.ip.description, "10.0.0.10/8")
        XCTAssertNil(v.host("h10")?.mac, "no MAC unless asked for")
    }

    func testIPBaseGivesAddressesAndPrefix() throws {
        let v = try star([HostSpec(name: "h1"), HostSpec(name: "h2")], ipBase: "192.168.1.0/24").validated()
        XCTAssertEqual(v.ipBase.description, "192.168.1.0/24")
        XCTAssertEqual(v.hosts.map(\.ip.description), ["192.168.1.1/24", "192.168.1.2/24"])
    }

    func testExplicitAddressKeepsItsOwnPrefixOrTakesTheBases() throws {
        let v = try star([HostSpec(name: "h1", ip: "10.1.2.3/16"), HostSpec(name: "h2", ip: "10.9.9.9")]).validated()
        XCTAssertEqual(v.host("h1")?.ip.description, "10.1.2.3/16")
        XCTAssertEqual(v.host("h2")?.ip.description, "10.9.9.9/8")
    }

    func testAutoMACFollowsHostNumbers() throws {
        let t = star([HostSpec(name: "h1"), HostSpec(name: "h2"), HostSpec(name: "h3", mac: "02:00:00:00:00:aa")])
        let v = try t.validated(autoMAC: true)
        XCTAssertEqual(v.host("h1")?.mac?.description, "00:00:00:00:00:01")
        XCTAssertEqual(v.host("h2")?.mac?.description, "00:00:00:00:00:02")
        XCTAssertEqual(v.host("h3")?.mac?.description, "02:00:00:00:00:aa", "an explicit MAC wins")
        let based = try star([HostSpec(name: "h1"), HostSpec(name: "h2")], ipBase: "192.168.1.0/24").validated(autoMAC: true)
        XCTAssertEqual(based.host("h2")?.mac?.description, "00:00:00:00:00:02", "host part of the address, not the whole address")
        XCTAssertNil(try t.validated(autoMAC: false).host("h1")?.mac)
    }

    func testInterfaceNamesAndPortsFollowLinkOrder() throws {
        let t = Topology(name: "t", hosts: [HostSpec(name: "h1"), HostSpec(name: "h2")],
                         switches: [SwitchSpec(name: "s1"), SwitchSpec(name: "s2")],
                         links: [LinkSpec("h1", "s1", location: nil), LinkSpec("s1", "s2", location: nil),
                                 LinkSpec("h2", "s2", location: nil), LinkSpec("h1", "s2", mtu: 1400, location: nil)])
        let v = try t.validated()
        XCTAssertEqual(v.host("h1")?.interfaces, ["h1-eth0", "h1-eth1"])
        XCTAssertEqual(v.host("h2")?.interfaces, ["h2-eth0"])
        XCTAssertEqual(v.switches.map(\.interfaces), [["s1-eth1", "s1-eth2"], ["s2-eth1", "s2-eth2", "s2-eth3"]])
        XCTAssertEqual(v.links.map { "\($0.a.interface)<->\($0.b.interface)" },
                       ["h1-eth0<->s1-eth1", "s1-eth2<->s2-eth1", "h2-eth0<->s2-eth2", "h1-eth1<->s2-eth3"])
        XCTAssertEqual(v.links[0].a.port, 0)
        XCTAssertEqual(v.links[0].b.port, 1)
        XCTAssertEqual(v.links[3].mtu, 1400)
        XCTAssertEqual(v.links[1].a.kind, .switch)
        XCTAssertFalse(v.hasLoop)
        XCTAssertEqual(v.switches.map(\.stp), [false, false])
        XCTAssertEqual(v.nodeNames, ["h1", "h2", "s1", "s2"])
        XCTAssertEqual(v.kind(of: "s2"), .switch)
        XCTAssertNil(v.kind(of: "x"))
    }

    func testNaturalOrder() {
        XCTAssertTrue(naturalLess("h2", "h10"))
        XCTAssertFalse(naturalLess("h10", "h9"))
        XCTAssertTrue(naturalLess("h1s2", "h2s1"))
        XCTAssertTrue(naturalLess("s1x2", "s1x10"))
    }

    func testUnknownNodeInLink() {
        var t = star([HostSpec(name: "h1")])
        t.links.append(LinkSpec("h1", "s9", location: loc(7)))
        expectTopologyError({ try t.validated() }, line: 7, contains: ["'s9'", "not a host or switch"])
    }

    func testSelfLink() {
        var t = star([HostSpec(name: "h1")])
        t.links.append(LinkSpec("s1", "s1", location: loc(4)))
        expectTopologyError({ try t.validated() }, line: 4, contains: ["itself"])
    }

    func testDuplicateNameAcrossHostsAndSwitches() {
        var t = star([HostSpec(name: "h1", location: loc(2))])
        t.switches.append(SwitchSpec(name: "h1", location: loc(5)))
        expectTopologyError({ try t.validated() }, line: 5, contains: ["duplicate node name 'h1'", "model:2"])
    }

    func testBadNodeName() {
        let t = star([HostSpec(name: "1h", location: loc(3))])
        expectTopologyError({ try t.validated() }, line: 3, contains: ["'1h'", "start with a letter"])
    }

    func testBadCIDR() {
        for bad in ["10.0.0.300/8", "10.0.0.1/33", "10.0.0/8", "fd00::1/64", "10.0.0.1/x"] {
            let t = star([HostSpec(name: "h1", ip: bad, location: loc(3))])
            expectTopologyError({ try t.validated() }, line: 3, contains: ["'\(bad)'", "not an IPv4 address"])
        }
    }

    func testBadMAC() {
        for bad in ["00:00:00:00:00", "00:00:00:00:00:0g", "0:0:0:0:0:1", "00:00:00:00:00:00:01"] {
            let t = star([HostSpec(name: "h1", mac: bad, location: loc(3))])
            expectTopologyError({ try t.validated() }, line: 3, contains: ["'\(bad)'", "not a MAC address"])
        }
    }

    func testMulticastAndZeroMACRefused() {
        for bad in ["01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00"] {
            let t = star([HostSpec(name: "h1", mac: bad, location: loc(3))])
            expectTopologyError({ try t.validated() }, line: 3, contains: ["multicast or all-zero", "unicast"])
        }
    }

    func testDuplicateMACRefused() {
        let t = star([HostSpec(name: "h1", mac: "02:00:00:00:00:01"), HostSpec(name: "h2", mac: "02:00:00:00:00:01", location: loc(4))])
        expectTopologyError({ try t.validated() }, line: 4, contains: ["h2", "h1"])
    }

    func testInterfaceNameOverFifteenBytes() {
        let long = "averylonghost12" // 15 bytes, so "-eth0" makes 20
        let t = star([HostSpec(name: long)])
        var located = t
        located.links[0].location = loc(9)
        let e = expectTopologyError({ try located.validated() }, line: 9, contains: ["15", long, "'\(long)-eth0'"])
        XCTAssertNotNil(e)
        // Ten bytes of name plus "-eth0" is exactly fifteen: allowed.
        XCTAssertNoThrow(try star([HostSpec(name: "h123456789")]).validated())
    }

    func testHostWithoutLink() {
        var t = star([HostSpec(name: "h1")])
        t.hosts.append(HostSpec(name: "h2", location: loc(6)))
        expectTopologyError({ try t.validated() }, line: 6, contains: ["'h2' has no link"])
    }

    func testDuplicateAddress() {
        // h2 asks for the address h1 gets by default.
        let t = star([HostSpec(name: "h1"), HostSpec(name: "h2", ip: "10.0.0.1/8", location: loc(3))])
        expectTopologyError({ try t.validated() }, line: 3, contains: ["10.0.0.1", "'h1'"])
    }

    func testBadGateway() {
        let notAnAddress = star([HostSpec(name: "h1", gateway: "router", location: loc(2))])
        expectTopologyError({ try notAnAddress.validated() }, line: 2, contains: ["'router'", "not an IPv4 address"])
        let offSubnet = star([HostSpec(name: "h1", ip: "10.0.0.1/24", gateway: "10.0.1.254", location: loc(2))])
        expectTopologyError({ try offSubnet.validated() }, line: 2, contains: ["10.0.1.254", "not on its own subnet"])
        let itself = star([HostSpec(name: "h1", ip: "10.0.0.1/24", gateway: "10.0.0.1", location: loc(2))])
        expectTopologyError({ try itself.validated() }, line: 2, contains: ["10.0.0.1"])
        let good = star([HostSpec(name: "h1", ip: "10.0.0.1/24", gateway: "10.0.0.254")])
        XCTAssertEqual(try good.validated().host("h1")?.gateway?.description, "10.0.0.254")
    }

    func testBadIPv6() {
        let t = star([HostSpec(name: "h1", ip6: "fd00::1", location: loc(2))])
        expectTopologyError({ try t.validated() }, line: 2, contains: ["'fd00::1'", "IPv6"])
        XCTAssertEqual(try star([HostSpec(name: "h1", ip6: "fd00::1/64")]).validated().host("h1")?.ip6?.description, "fd00::1/64")
    }

    func testMTURange() {
        var t = star([HostSpec(name: "h1")])
        t.links[0].mtu = 67
        t.links[0].location = loc(8)
        expectTopologyError({ try t.validated() }, line: 8, contains: ["mtu 67", "68 to 65535"])
    }

    private func triangle(stp: Bool? = nil) -> Topology {
        Topology(name: "tri", hosts: [HostSpec(name: "h1")],
                 switches: ["s1", "s2", "s3"].enumerated().map { SwitchSpec(name: $1, stp: $0 == 1 ? stp : nil, location: loc(10 + $0)) },
                 links: [LinkSpec("h1", "s1", location: nil), LinkSpec("s1", "s2", location: nil),
                         LinkSpec("s2", "s3", location: nil), LinkSpec("s3", "s1", location: nil)])
    }

    func testLoopTurnsSTPOn() throws {
        let v = try triangle().validated()
        XCTAssertTrue(v.hasLoop)
        XCTAssertEqual(v.switches.map(\.stp), [true, true, true])
        XCTAssertTrue(try triangle(stp: true).validated().switches[1].stp)
    }

    func testChainIsNoLoop() throws {
        var t = triangle()
        t.links.removeLast()
        let v = try t.validated()
        XCTAssertFalse(v.hasLoop)
        XCTAssertEqual(v.switches.map(\.stp), [false, false, false])
    }

    func testParallelSwitchLinksAreALoop() throws {
        var t = triangle()
        t.links = [LinkSpec("h1", "s1", location: nil), LinkSpec("s1", "s2", location: nil),
                   LinkSpec("s2", "s1", location: nil), LinkSpec("s2", "s3", location: nil)]
        XCTAssertTrue(try t.validated().hasLoop)
    }

    func testSTPOffOnALoopIsRefused() {
        expectTopologyError({ try triangle(stp: false).validated() }, line: 11,
                            contains: ["'s2' has stp off", "loop", "stp: false"])
    }

    func testIPBaseTooSmallOrInvalid() {
        let three = [HostSpec(name: "h1"), HostSpec(name: "h2"), HostSpec(name: "h3")]
        var t = star(three, ipBase: "10.0.0.0/30")
        t.location = loc(1)
        expectTopologyError({ try t.validated() }, line: 1, contains: ["room for 2 hosts", "3"])
        XCTAssertNoThrow(try star(Array(three.prefix(2)), ipBase: "10.0.0.0/30").validated())
        for bad in ["10.0.0.0/31", "10.0.0.0", "nonsense", "10.0.0.0/8/8"] {
            expectTopologyError({ try star(three, ipBase: bad).validated() }, line: nil, contains: ["ipbase '\(bad)'"])
        }
    }

    func testAddressTypes() {
        XCTAssertEqual(IPv4Address("10.0.0.1")?.value, 0x0A00_0001)
        XCTAssertNil(IPv4Address("10.0.0.01.1"))
        XCTAssertNil(IPv4Address("256.0.0.1"))
        let c = IPv4CIDR("10.1.2.3/8")
        XCTAssertEqual(c?.network.description, "10.0.0.0")
        XCTAssertEqual(c?.size, 1 << 24)
        XCTAssertEqual(c?.contains(IPv4Address("10.255.0.1")!), true)
        XCTAssertEqual(c?.contains(IPv4Address("11.0.0.1")!), false)
        XCTAssertEqual(MACAddress("02-00-00-00-00-0A")?.description, "02:00:00:00:00:0a")
        XCTAssertEqual(MACAddress(hostNumber: 0x1_0203).description, "00:00:00:01:02:03")
        XCTAssertEqual(TopologyError("boom", at: SourceLocation(file: "f.yaml", line: 3)).description, "f.yaml:3: boom")
        XCTAssertEqual(TopologyError("boom").description, "boom")
    }
}

final class LinkParamsTests: XCTestCase {
    func testParsingTheLinkOption() throws {
        let p = try LinkParams.parse(option: "tc,bw=10,delay=5ms,jitter=1ms,loss=1,max_queue=100,use_tbf=1")
        XCTAssertEqual(p, LinkParams(bw: "10", delay: "5ms", jitter: "1ms", loss: "1", maxQueue: "100", useTBF: true))
        let s = try XCTUnwrap(try p.shaping(for: "link"))
        XCTAssertEqual(s.bandwidthMbps, 10)
        XCTAssertEqual(s.delayMicroseconds, 5000)
        XCTAssertEqual(s.jitterMicroseconds, 1000)
        XCTAssertEqual(s.netemParameters, ["delay", "jitter", "loss"])
        XCTAssertThrowsError(try LinkParams.parse(option: "tc,speed=10")) { XCTAssertTrue("\($0)".contains("bw, delay")) }
        XCTAssertThrowsError(try LinkParams.parse(option: "tc,bw")) { XCTAssertTrue("\($0)".contains("NAME=VALUE")) }
        XCTAssertEqual(try LinkParams.parse(option: "bw=5 delay=2").delay, "2")
    }

    func testBadLinkParametersAreRefusedWithTheirLine() throws {
        func check(_ link: LinkSpec, _ text: String) {
            let t = Topology(name: "t", hosts: [HostSpec(name: "h1"), HostSpec(name: "h2")], links: [link])
            XCTAssertThrowsError(try t.validated()) { error in
                XCTAssertTrue("\(error)".contains(text), "\(error)")
                XCTAssertTrue("\(error)".contains("ValidationTests.swift:"), "\(error)")
            }
        }
        check(Link("h1", "h2", bw: 0), "bw")
        check(Link("h1", "h2", delay: "5 parsecs"), "delay")
        check(Link("h1", "h2", jitter: "1ms"), "no delay")
        check(Link("h1", "h2", loss: 150), "percentage")
        check(Link("h1", "h2", maxQueue: 0), "max_queue")
        let ok = try Topology(name: "t", hosts: [HostSpec(name: "h1"), HostSpec(name: "h2")],
                              links: [Link("h1", "h2", bw: 10, delay: "2.5ms", maxQueue: 50)]).validated()
        XCTAssertEqual(ok.links[0].shaping?.delayMicroseconds, 2500)
        XCTAssertEqual(ok.links[0].shaping?.maxQueue, 50)
    }

    func testYAMLLinkParameters() throws {
        let yaml = """
            hosts:
              h1:
              h2:
            links:
              - {endpoints: [h1, h2], bw: 10, delay: 5ms, loss: 0.5, max_queue: 100, use_tbf: true}
              - {endpoints: [h1, h2], delay: soon}
            """
        let t = try Topology.parse(yaml: yaml, file: "p.yaml")
        XCTAssertEqual(t.links[0].params, LinkParams(bw: "10", delay: "5ms", loss: "0.5", maxQueue: "100", useTBF: true))
        XCTAssertThrowsError(try t.validated()) { error in
            XCTAssertTrue("\(error)".hasPrefix("p.yaml:6: "), "\(error)")
        }
    }
}
