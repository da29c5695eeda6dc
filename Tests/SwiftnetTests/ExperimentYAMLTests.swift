import XCTest
@testable import Swiftnet

/// The `experiment:`, `domain:`, `records:` and per-host `dns:` parts of topology files.
final class ExperimentYAMLTests: XCTestCase {
    private let base = """
        hosts:
          h1: {}
          h2: {}
          web: {ip: 10.0.0.80/8}
        switches:
          s1: {}
          s2: {}
        links:
          - [h1, s1]
          - [h2, s2]
          - [web, s1]
          - [s1, s2]

        """
    // `base` is 12 lines: the first line after it is line 13.

    private func load(_ tail: String) throws -> ValidatedTopology {
        try Topology.parse(yaml: base + tail, file: "e.yaml").validated()
    }

    private func expectRefused(_ tail: String, line: Int, _ fragments: String..., sourceLine: UInt = #line) {
        expectTopologyError({ try load(tail) }, line: line, file: "e.yaml", contains: fragments, sourceLine: sourceLine)
    }

    func testEveryStepKindParses() throws {
        let t = try load("""
            experiment:
              - start: {on: web, run: "python3 -m http.server 80", wait_for_port: 80}
              - ping:    {from: h1, to: h2}
              - ping:    {from: h1, to: 10.9.9.9, expect: fail}
              - tcp:     {from: h1, to: web, port: 80, within: 2s}
              - http:    {from: h1, url: "http://web.lab.test/", expect_status: 200}
              - resolve: {on: h1, name: web, expect: 10.0.0.80}
              - resolve: {on: h1, name: nosuch, expect: nxdomain}
              - resolve: {on: h1, name: web, expect: [10.0.0.80]}
              - dig:     {on: h1, server: h2, name: web, type: aaaa}
              - run:     {on: h1, cmd: "cat /etc/resolv.conf", expect_output: "ndots:5", expect_exit: 0}
              - link:    {between: [s1, s2], state: down}
              - sleep:   500ms
            """)
        let steps = t.experiment
        XCTAssertEqual(steps.count, 12)
        XCTAssertEqual(steps[0].action, .start(on: "web", command: "python3 -m http.server 80", waitForPort: 80))
        XCTAssertEqual(steps[0].location, SourceLocation(file: "e.yaml", line: 14))
        XCTAssertEqual(steps[1].action, .ping(from: "h1", to: "h2", expectSuccess: true))
        XCTAssertEqual(steps[2].action, .ping(from: "h1", to: "10.9.9.9", expectSuccess: false))
        XCTAssertEqual(steps[3].action, .tcp(from: "h1", to: "web", port: 80, expectSuccess: true))
        XCTAssertEqual(steps[3].within, .seconds(2))
        XCTAssertEqual(steps[4].action, .http(from: "h1", url: "http://web.lab.test/", expectStatus: 200, expectBody: nil))
        XCTAssertEqual(steps[5].action, .resolve(on: "h1", name: "web", expect: .addresses(["10.0.0.80"])))
        XCTAssertEqual(steps[6].action, .resolve(on: "h1", name: "nosuch", expect: .nxdomain))
        XCTAssertEqual(steps[7].action, .resolve(on: "h1", name: "web", expect: .addresses(["10.0.0.80"])))
        XCTAssertEqual(steps[8].action, .dig(on: "h1", server: "h2", name: "web", type: "AAAA", expect: .anyAddress))
        XCTAssertEqual(steps[9].action, .run(on: "h1", command: "cat /etc/resolv.conf", expectOutput: "ndots:5", expectExit: 0))
        XCTAssertEqual(steps[10].action, .link(a: "s1", b: "s2", up: false))
        XCTAssertEqual(steps[11].action, .sleep(.milliseconds(500)))
        XCTAssertNil(steps[1].within)
        XCTAssertEqual(steps.filter { $0.action.isCheck }.count, 9)
    }

    func testDigWithTheSearchListParsesToDigSearch() throws {
        let t = try load("""
            experiment:
              - dig: {on: h1, name: web, search: true, expect: 10.0.0.80, expect_name: web.lab.test}
              - dig: {on: h1, server: h2, name: web, search: yes, type: aaaa}
            """)
        XCTAssertEqual(t.experiment[0].action,
                       .digSearch(on: "h1", name: "web", expect: .addresses(["10.0.0.80"]), answeredAs: "web.lab.test"))
        XCTAssertEqual(t.experiment[1].action, .digSearch(on: "h1", name: "web", type: "AAAA", server: "h2", expect: .anyAddress))
        XCTAssertNotEqual(t.experiment[0].action, .dig(on: "h1", server: "resolv.conf", name: "web", type: "A", expect: .addresses(["10.0.0.80"])))
        expectRefused("experiment:\n  - dig: {on: h1, name: web, expect_name: web.lab.test}\n", line: 14, "needs `search: true`")
    }

    func testBadStepsAreRefusedWithTheirLine() {
        expectRefused("experiment:\n  - ping: {from: h9, to: h2}\n", line: 14, "'from: h9' is not a node", "h1 h2 web")
        expectRefused("experiment:\n  - ping: {from: s1, to: h2}\n", line: 14, "is a switch")
        expectRefused("experiment:\n  - ping: {from: h1, to: nowhere}\n", line: 14, "neither a host", "nor an IP address")
        expectRefused("experiment:\n  - ping: {from: h1, too: h2}\n", line: 14, "unknown key 'too'", "did you mean 'to'")
        expectRefused("experiment:\n  - ping: {from: h1}\n", line: 14, "needs 'to'")
        expectRefused("experiment:\n  - pign: {from: h1, to: h2}\n", line: 14, "unknown kind 'pign'", "did you mean 'ping'")
        expectRefused("experiment:\n  - sleep: 5\n", line: 14, "number with a unit")
        expectRefused("experiment:\n  - sleep: soon\n", line: 14, "number with a unit")
        expectRefused("experiment:\n  - ping: {from: h1, to: h2, within: forever}\n", line: 14, "'within' needs a number with a unit")
        expectRefused("experiment:\n  - ping: {from: h1, to: h2, expect: maybe}\n", line: 14, "success or fail")
        expectRefused("experiment:\n  - tcp: {from: h1, to: web, port: 70000}\n", line: 14, "not a TCP port")
        expectRefused("experiment:\n  - tcp: {from: h1, to: web, port: http}\n", line: 14, "whole number")
        expectRefused("experiment:\n  - link: {between: [h1, h2], state: down}\n", line: 14, "no link between 'h1' and 'h2'")
        expectRefused("experiment:\n  - link: {between: [s1, s2], state: sideways}\n", line: 14, "up or down")
        expectRefused("experiment:\n  - http: {from: h1, url: \"ftp://web/\"}\n", line: 14, "not an http")
        expectRefused("experiment:\n  - resolve: {on: h1, name: web, expect: banana}\n", line: 14, "not an address")
        expectRefused("experiment:\n  - dig: {on: h1, name: web, type: MX}\n", line: 14, "type 'MX'")
        expectRefused("experiment:\n  - {ping: {from: h1, to: h2}, tcp: {from: h1, to: h2, port: 1}}\n", line: 14, "one step kind")
        expectRefused("experiment:\n  ping: {from: h1, to: h2}\n", line: 13, "must be a list of steps")
    }

    func testDNSSettingsAndRecords() throws {
        let t = try load("""
            domain: Lab.Test.
            records:
              www.lab.test: 10.0.0.80
              docs.lab.test: www.lab.test
              v6.lab.test: "fd00::80"
              alias.lab.test: web
            """ + "\n")
        XCTAssertEqual(t.domain, "lab.test")
        XCTAssertEqual(t.records.map(\.name), ["www.lab.test", "docs.lab.test", "v6.lab.test", "alias.lab.test"])
        XCTAssertEqual(t.records.map(\.value), [.address(IPAddress("10.0.0.80")!), .alias("www.lab.test"),
                                                 .address(IPAddress("fd00::80")!), .alias("web.lab.test")])
        XCTAssertEqual(t.records[3].value, .alias("web.lab.test"), "a bare node name means the node")
        let h1 = try XCTUnwrap(t.host("h1"))
        XCTAssertEqual(h1.dns, ResolvedDNS(policy: .embedded, nameservers: [IPAddress("127.0.0.11")!], search: ["lab.test"], options: [],
                                           embeddedAddresses: [IPAddress("127.0.0.11")!]))
        XCTAssertTrue(t.usesEmbeddedDNS)
    }

    func testPerHostDNSPolicies() throws {
        let text = """
            name: d
            hosts:
              h1: {dns: {options: {ndots: 5, timeout: 1, attempts: 2, rotate: }}}
              h2: {dns: {policy: none, nameservers: [ns1, 192.0.2.53], search: [a.test, b.test]}}
              h3: {dns: {policy: host}}
              ns1: {kind: dns, ip: 10.0.0.53/8}
            switches: {s1: {}}
            links: [[h1, s1], [h2, s1], [h3, s1], [ns1, s1]]
            """
        // host: the machine's file, without loopback nameservers, as Docker does.
        let machine = "# comment\nnameserver 127.0.0.53\nnameserver 10.255.255.53\nnameserver ::1\nsearch corp.example\noptions edns0 trust-ad\n"
        var spec = try Topology.parse(yaml: text, file: "d.yaml")
        spec.machineResolvConf = machine
        let t = try spec.validated()
        XCTAssertEqual(t.host("ns1")?.kind, .dns)
        let h1 = try XCTUnwrap(t.host("h1")).dns
        XCTAssertEqual(h1.policy, .embedded)
        XCTAssertEqual(h1.search, [], "no domain: no search list")
        XCTAssertEqual(h1.resolvConf(), """
            # written by swiftnet for this emulated host (policy: embedded)
            nameserver 127.0.0.11
            options ndots:5 timeout:1 attempts:2 rotate

            """)
        let h2 = try XCTUnwrap(t.host("h2")).dns
        XCTAssertEqual(h2.nameservers.map(\.description), ["10.0.0.53", "192.0.2.53"], "a dns node's name becomes its address")
        XCTAssertEqual(h2.resolvConf(), """
            # written by swiftnet for this emulated host (policy: none)
            nameserver 10.0.0.53
            nameserver 192.0.2.53
            search a.test b.test

            """)
        XCTAssertEqual(try XCTUnwrap(t.host("h3")).dns.resolvConf(), """
            # written by swiftnet for this emulated host (policy: host)
            nameserver 10.255.255.53
            search corp.example
            options edns0 trust-ad

            """)
    }

    func testBadDNSSettingsAreRefused() {
        func refused(_ host: String, _ fragments: String..., sourceLine: UInt = #line) {
            let text = "hosts:\n  h1: \(host)\n  ns1: {kind: dns}\nswitches: {s1: {}}\nlinks: [[h1, s1], [ns1, s1]]\n"
            expectTopologyError({ try Topology.parse(yaml: text, file: "b.yaml").validated() }, line: 2, file: "b.yaml",
                                contains: fragments, sourceLine: sourceLine)
        }
        refused("{dns: {policy: magic}}", "policy 'magic' does not exist", "embedded, host, none")
        refused("{dns: {policy: none}}", "needs nameservers")
        refused("{dns: {policy: none, nameservers: [nobody]}}", "'nobody' is neither an address nor a host")
        refused("{dns: {nameservers: [ns1]}}", "use policy none")
        refused("{dns: {options: {ndots: many}}}", "whole number")
        refused("{dns: {search: [\"bad name\"]}}", "not a DNS name")
        refused("{dns: {polcy: none}}", "unknown key 'polcy'", "did you mean 'policy'")
        refused("{kind: switch}", "kind 'switch'", "host, dns, router")
        refused("{dns: {policy: none, nameservers: [1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4]}}", "at most 3")
        expectTopologyError({ try self.load("records:\n  www.lab.test: not an address\n") }, line: 14, file: "e.yaml",
                            contains: ["record 'www.lab.test'", "address", "CNAME"])
        expectTopologyError({ try self.load("domain: \"bad domain\"\n") }, line: 1, file: "e.yaml", contains: ["domain 'bad domain'"])
    }
}
