import DNS
import XCTest
@testable import Swiftnet

/// The resolver rules of kubelet (pkg/kubelet/network/dns) and dockerd, one case per rule,
/// on `ResolverRules.configure`, the one function every host's resolv.conf comes from;
/// then the same rules through a YAML topology.
final class ResolverRulesTests: XCTestCase {
    /// A node file with a loopback nameserver, two search lines (the last wins, its
    /// trailing dot dropped), a domain line (kubelet does not read it) and options.
    let node = ResolvConfFile(text: """
        # the node's file
        nameserver 10.255.255.53
        nameserver 127.0.0.53
        search old.example
        domain ignored.example
        search corp.example. lab.example
        options timeout:2 attempts:3
        """)

    func cluster(_ extra: (inout ResolverInputs) -> Void = { _ in }) -> ResolverInputs {
        var i = ResolverInputs(machine: node, namespace: "shop", clusterDomain: "cluster.local", clusterDNS: ["10.96.0.10"])
        extra(&i)
        return i
    }

    func opts(_ c: ResolverConfig) -> [String] { c.options.map(\.text) }

    func testMachineFileIsReadAsKubeletAndGlibcReadIt() {
        XCTAssertEqual(node.nameservers, ["10.255.255.53", "127.0.0.53"], "nameserver lines add up")
        XCTAssertEqual(node.search, ["corp.example", "lab.example"], "kubelet: the last search line, trailing dots dropped")
        XCTAssertEqual(node.resolverSearch, ["corp.example.", "lab.example"], "glibc: the last of domain and search")
        XCTAssertEqual(node.options.map(\.text), ["timeout:2", "attempts:3"])
        XCTAssertEqual(ResolvConfFile(text: "search a.example\ndomain b.example\n").resolverSearch, ["b.example"])
        XCTAssertEqual(ResolvConfFile(text: "search a.example\ndomain b.example\n").search, ["a.example"])
        XCTAssertEqual(ResolvConfFile(text: "options ndots:2\noptions rotate\n").options, [DNSOption("rotate")], "the last options line wins")
    }

    func testClusterFirst() {
        let c = ResolverRules.configure(.clusterFirst, cluster())
        XCTAssertEqual(c.nameservers, ["10.96.0.10"], "only the cluster DNS")
        XCTAssertEqual(c.search, ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example"])
        XCTAssertEqual(opts(c), ["ndots:5"], "the machine's options are dropped")
        XCTAssertEqual(c.warnings, [])
        XCTAssertNil(c.appliedPolicy)
        XCTAssertEqual(ResolverRules.configure(.clusterFirstWithHostNet, cluster()), c, "a host has its own network: the same")
        // A node search domain equal to a cluster one is not written twice.
        var dup = node
        dup.search = ["cluster.local", "corp.example"]
        XCTAssertEqual(ResolverRules.configure(.clusterFirst, cluster { $0.machine = dup }).search,
                       ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"])
    }

    func testClusterFirstWithDNSConfigAppendsAndMerges() {
        let c = ResolverRules.configure(.clusterFirst, cluster {
            $0.nameservers = ["10.96.0.10", "192.0.2.53"]
            $0.search = ["lab.example", "extra.example"]
            $0.options = [DNSOption("ndots", "2"), DNSOption("edns0")]
        })
        XCTAssertEqual(c.nameservers, ["10.96.0.10", "192.0.2.53"], "appended, the repeat left out")
        XCTAssertEqual(c.search, ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example", "extra.example"])
        XCTAssertEqual(opts(c), ["ndots:2", "edns0"], "merged by name, the pod's value wins")
        XCTAssertEqual(c.warnings, [])
    }

    func testClusterFirstWithoutClusterDNSFallsBackToDefault() {
        let c = ResolverRules.configure(.clusterFirst, cluster { $0.clusterDNS = [] })
        XCTAssertEqual(c.appliedPolicy, .kubeDefault)
        XCTAssertEqual(c, ResolverRules.configure(.kubeDefault, cluster()).with(applied: .kubeDefault, warnings: c.warnings))
        XCTAssertEqual(c.warnings.count, 1)
        XCTAssertTrue(c.warnings[0].hasPrefix("MissingClusterDNS:"), c.warnings[0])
        XCTAssertTrue(c.warnings[0].contains("Falling back to the Default policy"), c.warnings[0])
    }

    func testDefaultCopiesTheMachinesFile() {
        let c = ResolverRules.configure(.kubeDefault, cluster())
        XCTAssertEqual(c.nameservers, ["10.255.255.53", "127.0.0.53"], "as it is, loopback included, as kubelet copies it")
        XCTAssertEqual(c.search, ["corp.example", "lab.example"])
        XCTAssertEqual(opts(c), ["timeout:2", "attempts:3"])
        let merged = ResolverRules.configure(.kubeDefault, cluster { $0.options = [DNSOption("timeout", "5")] })
        XCTAssertEqual(opts(merged), ["timeout:5", "attempts:3"])
    }

    func testNoneIsExactlyTheDNSConfig() {
        let c = ResolverRules.configure(.kubeNone, cluster {
            $0.nameservers = ["192.0.2.1"]
            $0.search = ["a.example", "a.example", "b.example"]
            $0.options = [DNSOption("ndots", "1")]
        })
        XCTAssertEqual(c.nameservers, ["192.0.2.1"])
        XCTAssertEqual(c.search, ["a.example", "b.example"])
        XCTAssertEqual(opts(c), ["ndots:1"])
    }

    func testNameserversOverTheLimitAreDroppedWithAWarning() {
        let c = ResolverRules.configure(.clusterFirst, cluster {
            $0.clusterDNS = ["10.96.0.10", "10.96.0.11"]
            $0.nameservers = ["10.96.0.11", "192.0.2.1", "192.0.2.2"]
        })
        XCTAssertEqual(c.nameservers, ["10.96.0.10", "10.96.0.11", "192.0.2.1"])
        XCTAssertEqual(c.warnings, ["DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, "
                                    + "the applied nameserver line is: 10.96.0.10 10.96.0.11 192.0.2.1"])
        // Three with a repeat are two: no warning.
        let dup = ResolverRules.configure(.kubeNone, cluster { $0.nameservers = ["192.0.2.1", "192.0.2.2", "192.0.2.1"] })
        XCTAssertEqual(dup.nameservers, ["192.0.2.1", "192.0.2.2"])
        XCTAssertEqual(dup.warnings, [])
    }

    func testSearchListOver32DomainsIsCutFromItsEnd() {
        // 41 entries with one repeat: 40 domains, 3 of the cluster's and 2 of the node's first.
        var given = (1...40).map { String(format: "s%02d.example", $0) }
        given.insert("s07.example", at: 20)
        let c = ResolverRules.configure(.clusterFirst, cluster { $0.search = given })
        XCTAssertEqual(c.search.count, 32)
        XCTAssertEqual(Array(c.search.prefix(6)), ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local",
                                                   "corp.example", "lab.example", "s01.example"])
        XCTAssertEqual(c.search.last, "s27.example")
        XCTAssertEqual(Set(c.search).count, 32, "no repeats")
        XCTAssertEqual(c.warnings.count, 1)
        XCTAssertTrue(c.warnings[0].hasPrefix("DNSConfigForming: Search Line limits were exceeded"), c.warnings[0])
        XCTAssertTrue(c.warnings[0].hasSuffix("s26.example s27.example"), c.warnings[0])
    }

    func testSearchDomainOver253CharactersIsDropped() {
        let long = Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".")  // 304
        let exact = Array(repeating: String(repeating: "b", count: 63), count: 4).joined(separator: ".")  // 255
        let fits = String(exact.dropFirst(2))  // 253
        let c = ResolverRules.configure(.kubeNone, cluster {
            $0.nameservers = ["192.0.2.1"]
            $0.search = ["a.example", long, exact, fits, "z.example"]
        })
        XCTAssertEqual(c.search, ["a.example", fits, "z.example"])
        XCTAssertEqual(c.warnings.count, 1)
    }

    func testSearchLineOver2048CharactersIsCutFromItsEnd() {
        // 31 domains of 70 characters: 31 * 71 - 1 = 2200 characters; 28 fit (1987).
        let domains = (1...31).map { i in String(format: "d%02d.", i) + String(repeating: "x", count: 58) + ".example" }
        XCTAssertEqual(domains[0].utf8.count, 70)
        let (search, cut) = ResolverRules.fitSearch(domains)
        XCTAssertTrue(cut)
        XCTAssertEqual(search, Array(domains.prefix(28)))
        XCTAssertLessThanOrEqual(search.joined(separator: " ").utf8.count, 2048)
        XCTAssertGreaterThan((search + [domains[28]]).joined(separator: " ").utf8.count, 2048)
        let (same, notCut) = ResolverRules.fitSearch(Array(domains.prefix(28)))
        XCTAssertFalse(notCut)
        XCTAssertEqual(same.count, 28)
    }

    func testDockerUserDefinedNetwork() {
        var machine = node
        machine.options = [DNSOption("ndots", "3"), DNSOption("edns0")]
        let c = ResolverRules.configure(.docker, ResolverInputs(machine: machine))
        XCTAssertEqual(c.nameservers, ["127.0.0.11"])
        XCTAssertEqual(c.search, ["corp.example.", "lab.example"])
        XCTAssertEqual(opts(c), ["edns0", "ndots:0"], "ndots:0 in place of the machine's ndots")
        XCTAssertEqual(c.comments.count, 1)
        XCTAssertTrue(c.comments[0].contains("10.255.255.53 127.0.0.53"), "the machine's nameservers are the upstreams: \(c.comments[0])")
        let own = ResolverRules.configure(.docker, ResolverInputs(nameservers: ["192.0.2.1"], options: [DNSOption("ndots", "2")], machine: machine))
        XCTAssertEqual(opts(own), ["ndots:2"], "the host's own ndots stays")
        XCTAssertEqual(own.nameservers, ["127.0.0.11"])
        XCTAssertTrue(own.comments[0].contains("192.0.2.1") && !own.comments[0].contains("10.255.255.53"), own.comments[0])
    }

    func testDockerDefaultBridge() {
        let c = ResolverRules.configure(.dockerBridge, ResolverInputs(machine: node))
        XCTAssertEqual(c.nameservers, ["10.255.255.53"], "loopback nameservers left out")
        XCTAssertEqual(opts(c), ["timeout:2", "attempts:3"])
        let onlyLoopback = ResolverRules.configure(.dockerBridge, ResolverInputs(machine: ResolvConfFile(text: "nameserver 127.0.0.53\nnameserver ::1\n")))
        XCTAssertEqual(onlyLoopback.nameservers, ["8.8.8.8", "8.8.4.4"], "dockerd's defaults when none is left")
        XCTAssertEqual(onlyLoopback.comments.count, 1)
    }

    func testSearchOrderOfAStubResolver() {
        let search = ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"]
        XCTAssertEqual(ResolverRules.searchCandidates(name: "web.shop", search: search, ndots: 5),
                       ["web.shop.default.svc.cluster.local", "web.shop.svc.cluster.local", "web.shop.cluster.local", "web.shop"])
        XCTAssertEqual(ResolverRules.searchCandidates(name: "web.shop", search: search, ndots: 1),
                       ["web.shop", "web.shop.default.svc.cluster.local", "web.shop.svc.cluster.local", "web.shop.cluster.local"])
        XCTAssertEqual(ResolverRules.searchCandidates(name: "web.shop.", search: search, ndots: 5), ["web.shop"])
        XCTAssertEqual(ResolverRules.ndots([]), 1)
        XCTAssertEqual(ResolverRules.ndots([DNSOption("ndots", "5"), DNSOption("ndots", "2")]), 2, "the last one")
        XCTAssertEqual(ResolverRules.ndots([DNSOption("ndots", "40")]), 15, "glibc's ceiling")
    }

    // MARK: - Through a topology

    let yaml = """
        name: k
        cluster: {domain: Cluster.Local., dns: 10.96.0.10}
        hosts:
          web: {namespace: shop}
          client: {}
          dflt: {dns: {policy: Default}}
          none: {dns: {policy: None, nameservers: [10.96.0.10], searches: [shop.svc.cluster.local], options: [{name: ndots, value: "2"}, {name: edns0}, "rotate"]}}
          mine: {dns: {policy: embedded}}
          many: {dns: {nameservers: [192.0.2.1, 192.0.2.2, 192.0.2.3]}}
        switches: {s1: {}}
        links: [[web, s1], [client, s1], [dflt, s1], [none, s1], [mine, s1], [many, s1]]
        """

    func validated(_ text: String) throws -> ValidatedTopology {
        var spec = try Topology.parse(yaml: text, file: "k.yaml")
        spec.machineResolvConf = "nameserver 10.255.255.53\nsearch corp.example\noptions timeout:2\n"
        return try spec.validated()
    }

    func testTopologyWithAClusterTakesClusterFirst() throws {
        let t = try validated(yaml)
        XCTAssertEqual(t.clusterDomain, "cluster.local")
        let web = try XCTUnwrap(t.host("web"))
        XCTAssertEqual(web.namespace, "shop")
        XCTAssertEqual(web.dns.policy, .clusterFirst, "the default with a cluster")
        XCTAssertEqual(web.dns.resolvConf(), """
            # written by swiftnet for this emulated host (policy: ClusterFirst)
            nameserver 10.96.0.10
            search shop.svc.cluster.local svc.cluster.local cluster.local corp.example
            options ndots:5

            """)
        XCTAssertEqual(web.dns.embeddedAddresses.map(\.description), ["10.96.0.10"], "the embedded server answers on the cluster DNS")
        XCTAssertFalse(web.dns.hostsFileNamesAll, "kubelet's hosts file names the pod only")
        XCTAssertEqual(t.host("client")?.namespace, "default")
        XCTAssertEqual(t.host("client")?.dns.search.first, "default.svc.cluster.local")
        let dflt = try XCTUnwrap(t.host("dflt")).dns
        XCTAssertEqual(dflt.nameservers.map(\.description), ["10.255.255.53"])
        XCTAssertEqual(dflt.embeddedAddresses, [], "Default: the machine's nameservers, not the embedded server")
        let none = try XCTUnwrap(t.host("none")).dns
        XCTAssertEqual(none.search, ["shop.svc.cluster.local"])
        XCTAssertEqual(none.options.map(\.text), ["ndots:2", "edns0", "rotate"], "dnsConfig's option list, and resolv.conf words")
        XCTAssertEqual(none.embeddedAddresses.map(\.description), ["10.96.0.10"])
        XCTAssertEqual(t.host("mine")?.dns.nameservers.map(\.description), ["127.0.0.11"])
        XCTAssertEqual(t.host("mine")?.dns.hostsFileNamesAll, true)
        // 1 cluster DNS + 3 given: the last dropped, with a warning naming the host and its line.
        XCTAssertEqual(t.host("many")?.dns.nameservers.map(\.description), ["10.96.0.10", "192.0.2.1", "192.0.2.2"])
        XCTAssertEqual(t.warnings.count, 1, "\(t.warnings)")
        XCTAssertTrue(t.warnings[0].hasPrefix("k.yaml:9: host 'many': DNSConfigForming: Nameserver limits were exceeded"), t.warnings[0])
        // The embedded zone answers NAME.NAMESPACE.svc.DOMAIN and NAME.
        let zone = Network.embeddedZone(of: t)
        func answers(_ name: String) -> [String] {
            zone.answer(DNSMessage.query(id: 1, name: name, type: .a, recursionDesired: false)).answers.compactMap(\.data.address)
        }
        XCTAssertEqual(answers("web.shop.svc.cluster.local"), [web.ip.address.description])
        XCTAssertEqual(answers("client.default.svc.cluster.local"), [try XCTUnwrap(t.host("client")).ip.address.description])
        XCTAssertEqual(answers("web"), [web.ip.address.description])
        XCTAssertEqual(answers("web.default.svc.cluster.local"), [], "web is in shop")
    }

    func testSwiftnetsOwnPoliciesWriteRepeatsOnce() throws {
        let t = try validated("""
            hosts:
              h1: {dns: {policy: none, nameservers: [192.0.2.1, 192.0.2.2, 192.0.2.1], search: [a.test, b.test, A.test]}}
            switches: {s1: {}}
            links: [[h1, s1]]
            """)
        let h1 = try XCTUnwrap(t.host("h1")).dns
        XCTAssertEqual(h1.nameservers.map(\.description), ["192.0.2.1", "192.0.2.2"])
        XCTAssertEqual(h1.search, ["a.test", "b.test"])
        XCTAssertEqual(t.warnings.count, 2, "\(t.warnings)")
        XCTAssertEqual(h1.policy, .none, "without a cluster the default stays embedded; 'none' is swiftnet's")
    }

    func testBadClusterSettingsAreRefused() {
        func refused(_ text: String, line: Int, _ fragments: String..., sourceLine: UInt = #line) {
            expectTopologyError({ try self.validated(text) }, line: line, file: "k.yaml", contains: fragments, sourceLine: sourceLine)
        }
        let links = "switches: {s1: {}}\nlinks: [[h1, s1]]\n"
        refused("cluster: {dns: 10.0.0.1}\nhosts:\n  h1: {}\n" + links, line: 1, "cluster dns 10.0.0.1 is host 'h1''s address")
        refused("cluster: {dns: nowhere}\nhosts:\n  h1: {}\n" + links, line: 1, "cluster dns 'nowhere' is not an address")
        refused("cluster: {domain: \"bad domain\", dns: 10.96.0.10}\nhosts:\n  h1: {}\n" + links, line: 1, "cluster domain 'bad domain'")
        refused("cluster: {dns: 10.96.0.10, resolv_conf: /nonexistent/resolv.conf}\nhosts:\n  h1: {}\n" + links, line: 1,
                "cluster resolv_conf '/nonexistent/resolv.conf' cannot be read")
        refused("cluster: {dns: 10.96.0.10, dmain: x}\nhosts:\n  h1: {}\n" + links, line: 1, "unknown key 'dmain'", "domain")
        refused("hosts:\n  h1: {namespace: Shop_1}\n" + links, line: 2, "namespace 'Shop_1'", "lowercase")
        refused("hosts:\n  h1: {dns: {policy: None}}\n" + links, line: 2, "policy None needs nameservers")
        refused("hosts:\n  h1: {dns: {policy: ClusterLast}}\n" + links, line: 2, "does not exist", "ClusterFirst", "docker-bridge")
        refused("hosts:\n  h1: {dns: {options: [{name: ndots, valu: \"2\"}]}}\n" + links, line: 2, "unknown key 'valu'")
    }
}

extension ResolverConfig {
    func with(applied: DNSPolicy?, warnings: [String]) -> ResolverConfig {
        var c = self
        c.appliedPolicy = applied
        c.warnings = warnings
        return c
    }
}
