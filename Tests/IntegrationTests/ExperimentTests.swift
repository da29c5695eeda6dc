import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Swiftnet
import XCTest

/// `swiftnet test` and `swiftnet run` on experiment files, the reports, and the checks'
/// Swift API, on real namespaces.
final class ExperimentTests: FileTestCase {
    static let lab = """
        name: explab
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

    /// Every step kind, each once passing and once failing: the exit status, the lines,
    /// the summary and both reports must agree.
    func testEveryStepKindPassesAndFailsWithReports() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let file = try write("all.yaml", Self.lab + """
            experiment:
              - start: {on: web, run: "python3 -m http.server 80", wait_for_port: 80}
              - ping: {from: h1, to: h2}
              - ping: {from: h1, to: 10.9.9.9, expect: fail}
              - tcp: {from: h1, to: web, port: 80}
              - tcp: {from: h1, to: web, port: 81, expect: fail}
              - http: {from: h2, url: "http://web/", expect_status: 200}
              - resolve: {on: h1, name: web, expect: 10.0.0.80}
              - resolve: {on: h1, name: nosuch, expect: nxdomain}
              - run: {on: h1, cmd: "echo hello from $(hostname -I)", expect_output: "hello from 10.0.0.1"}
              - link: {between: [s1, s2], state: down}
              - ping: {from: h1, to: h2, expect: fail}
              - link: {between: [s1, s2], state: up}
              - ping: {from: h1, to: h2, within: 5s}
              - sleep: 100ms
              - ping: {from: h1, to: 10.9.9.9}
              - tcp: {from: h1, to: web, port: 81}
              - http: {from: h1, url: "http://web/nothing-here", expect_status: 200}
              - resolve: {on: h1, name: web, expect: 10.0.0.99}
              - run: {on: h1, cmd: "exit 3"}
              - start: {on: web, run: "exit 1", wait_for_port: 8080, within: 1s}
              - ping: {from: h1, to: h2}
              - dig: {on: h1, name: web, type: A, expect: 10.0.0.80}
              - dig: {on: h2, name: 10.0.0.80, type: PTR, expect: web}
              - dig: {on: h2, name: nosuch, expect: nxdomain}
              - dig: {on: h1, name: web, type: AAAA}
            """)
        let junit = "\(dir)/report.xml", json = "\(dir)/report.json"
        let r = try CLI.run(["test", file, "--junit", junit, "--json", json])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.last, "18 passed, 7 failed", r.stdout)
        for n in 1...14 { XCTAssertTrue(lines.contains { $0.hasPrefix("  ok    #\(n) ") }, "step \(n) should pass:\n\(r.stdout)") }
        for n in 15...20 { XCTAssertTrue(lines.contains { $0.hasPrefix("  FAIL  #\(n) ") }, "step \(n) should fail:\n\(r.stdout)") }
        for n in 21...24 { XCTAssertTrue(lines.contains { $0.hasPrefix("  ok    #\(n) ") }, "step \(n) should pass (a failed step does not stop the next):\n\(r.stdout)") }
        XCTAssertTrue(lines.contains { $0.hasPrefix("  FAIL  #25 ") }, r.stdout)
        XCTAssertTrue(r.stdout.contains("expected an answer, got no AAAA records"), "web has no IPv6 address: NODATA\n\(r.stdout)")
        XCTAssertTrue(r.stdout.contains("expected a reply, got no reply from 10.9.9.9  [\(file):29]"), r.stdout)
        XCTAssertTrue(r.stdout.contains("expected connected, got refused"), r.stdout)
        XCTAssertTrue(r.stdout.contains("expected status 200, got status 404"), r.stdout)
        XCTAssertTrue(r.stdout.contains("expected 10.0.0.99, got 10.0.0.80"), r.stdout)
        XCTAssertTrue(r.stdout.contains("expected exit status 0, got exit status 3"), r.stdout)
        XCTAssertTrue(r.stdout.contains("the command exited"), r.stdout)

        // JUnit: parses, and its counts are the run's.
        let doc = try XMLDocument(contentsOf: URL(fileURLWithPath: junit))
        let root = try XCTUnwrap(doc.rootElement())
        XCTAssertEqual(root.name, "testsuites")
        XCTAssertEqual(root.attribute(forName: "tests")?.stringValue, "25")
        XCTAssertEqual(root.attribute(forName: "failures")?.stringValue, "6")
        XCTAssertEqual(root.attribute(forName: "errors")?.stringValue, "1", "the failed start is an error, not a failure")
        let suites = root.elements(forName: "testsuite")
        XCTAssertEqual(suites.count, 1)
        XCTAssertEqual(suites[0].attribute(forName: "name")?.stringValue, "explab")
        let cases = suites[0].elements(forName: "testcase")
        XCTAssertEqual(cases.count, 25)
        XCTAssertEqual(cases.filter { !$0.elements(forName: "failure").isEmpty }.count, 6)
        XCTAssertEqual(cases.filter { !$0.elements(forName: "error").isEmpty }.count, 1)
        XCTAssertEqual(cases[1].attribute(forName: "name")?.stringValue, "#2 ping h1 -> h2")
        XCTAssertTrue(cases[13].elements(forName: "failure").isEmpty, "step 14 passed")
        XCTAssertEqual(cases[15].elements(forName: "failure").first?.attribute(forName: "message")?.stringValue,
                       "expected connected, got refused")

        // JSON: the same counts and each step's facts.
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        XCTAssertEqual(obj["passed"] as? Int, 18)
        XCTAssertEqual(obj["failed"] as? Int, 7)
        let files = try XCTUnwrap(obj["files"] as? [[String: Any]])
        let steps = try XCTUnwrap(files.first?["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.count, 25)
        XCTAssertEqual(steps[17]["kind"] as? String, "resolve")
        XCTAssertEqual(steps[17]["observed"] as? String, "10.0.0.80")
        XCTAssertEqual(steps[17]["line"] as? Int, 32)
        XCTAssertEqual(steps[17]["passed"] as? Bool, false)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// The shipped examples pass as they are: embedded DNS with search lists and ndots,
    /// CNAMEs, PTR, NXDOMAIN, a dnsmasq node, a web server behind a failing link.
    func testShippedExamplesPass() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let files = ["web-lab.yaml", "dns-lab.yaml", "dnsmasq-lab.yaml"].map { CLI.packageRoot + "/Examples/" + $0 }
        let r = try CLI.run(["test"] + files + ["--junit", "\(dir)/examples.xml"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").last, "36 passed, 0 failed", r.stdout)
        let doc = try XMLDocument(contentsOf: URL(fileURLWithPath: "\(dir)/examples.xml"))
        XCTAssertEqual(doc.rootElement()?.elements(forName: "testsuite").map { $0.attribute(forName: "name")?.stringValue ?? "" },
                       ["web-lab", "dns-lab", "dnsmasq-lab"])
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// Ctrl-C during a step stops at once, tears down, still writes the report; SIGKILL
    /// during a step leaves nothing either (servers of the run, state files).
    func testInterruptAndKillDuringAnExperimentLeaveNothing() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let file = try write("long.yaml", Self.lab + """
            domain: lab.test
            experiment:
              - start: {on: web, run: "python3 -m http.server 80", wait_for_port: 80}
              - resolve: {on: h1, name: web, expect: 10.0.0.80}
              - run: {on: h1, cmd: "echo started"}
              - sleep: 60s
              - ping: {from: h1, to: h2}
            """)
        let junit = "\(dir)/partial.xml"
        let (p, out) = try CLI.start(["test", file, "--junit", junit], waitFor: "#3 run on h1")
        let pidns = try XCTUnwrap(runPIDNamespace(of: p.processIdentifier))
        XCTAssertFalse(processes(inPIDNamespace: pidns).isEmpty, "the web server runs")
        let t0 = Date()
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(t0), 5, "a 60 s sleep is cut short")
        let rest = readRest(out)
        XCTAssertEqual(p.terminationStatus, 130, rest)
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        XCTAssertTrue(xml.contains("tests=\"4\""), xml)
        XCTAssertTrue(processes(inPIDNamespace: pidns).isEmpty)
        XCTAssertEqual(before, try RootSnapshot.take())

        let (k, _) = try CLI.start(["test", file], waitFor: "#3 run on h1")
        let pidns2 = try XCTUnwrap(runPIDNamespace(of: k.processIdentifier))
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: "/run/swiftnet").isEmpty, "the run has its state directory")
        kill(k.processIdentifier, SIGKILL)
        k.waitUntilExit()
        XCTAssertTrue(eventually { processes(inPIDNamespace: pidns2).isEmpty }, "the run's servers die with it")
        XCTAssertTrue(eventually { (try? RootSnapshot.take()) == before }, "\(String(describing: try? RootSnapshot.take())) vs \(before)")
    }

    /// SIGINT or SIGTERM during a `run` step (a program in a host) kills the program, fails
    /// the step as interrupted and exits 130 having torn down, for `test` and for `run`.
    func testSignalDuringALongCommandStepStopsIt() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let file = try write("cmd.yaml", Self.lab + """
            experiment:
              - run: {on: h1, cmd: "echo started"}
              - run: {on: h2, cmd: "sleep 120"}
              - ping: {from: h1, to: h2}
            """)
        let junit = "\(dir)/cmd.xml"
        for (args, sig) in [(["test", file, "--junit", junit], SIGINT), (["run", file], SIGTERM)] {
            let (p, out) = try CLI.start(args, waitFor: "#1 run on h1")
            let pidns = try XCTUnwrap(runPIDNamespace(of: p.processIdentifier))
            XCTAssertTrue(eventually { processes(inPIDNamespace: pidns).count >= 2 }, "the sleep runs (init and sleep)")
            let t0 = Date()
            kill(p.processIdentifier, sig)
            XCTAssertTrue(eventually(30) { !p.isRunning }, "\(args): a 120 s command is cut short")
            p.waitUntilExit()
            print("\(args[0]): ended \(String(format: "%.2f", Date().timeIntervalSince(t0))) s after the signal")
            let rest = readRest(out)
            XCTAssertEqual(p.terminationStatus, 130, "\(args): \(rest)")
            XCTAssertTrue(rest.contains("FAIL  #2 run on h2: sleep 120"), rest)
            XCTAssertTrue(rest.contains("got interrupted"), rest)
            XCTAssertFalse(rest.contains("#3 ping"), "no step after the interrupted one: \(rest)")
            XCTAssertTrue(processes(inPIDNamespace: pidns).isEmpty)
            XCTAssertEqual(before, try RootSnapshot.take())
        }
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        XCTAssertTrue(xml.contains("tests=\"2\""), xml)
    }

    /// The PID namespace of a swiftnet process's run: that of its child that is not in
    /// ours (the janitor is in ours; the run's init is not).
    func runPIDNamespace(of pid: Int32) -> String? {
        let mine = pidNamespaceInode(of: getpid())
        return childPIDs(of: pid).compactMap { pidNamespaceInode(of: $0) }.first { $0 != mine }
    }

    func testBadExperimentFileExitsTwoAndBuildsNothing() throws {
        try requireRoot()
        let good = try write("good.yaml", Self.lab + "experiment:\n  - ping: {from: h1, to: h2}\n")
        let bad = try write("bad.yaml", Self.lab + "experiment:\n  - ping: {from: h1, to: h2}\n  - sleep: 5\n")
        let before = try RootSnapshot.take()
        // The good file comes first: nothing of it may be built either.
        let r = try CLI.run(["test", good, bad])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr, "swiftnet: \(bad):16: step 'sleep' needs a number with a unit (us, ms, s, m or h) up to 24h, such as `sleep: 500ms` or `sleep: 2s`; found '5'\n")
        let none = try write("none.yaml", Self.lab)
        let r2 = try CLI.run(["test", none])
        XCTAssertEqual(r2.status, 2)
        XCTAssertTrue(r2.stderr.contains("\(none):1: the file has no experiment"), r2.stderr)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// resolv.conf per policy, as programs inside the hosts read it, and the machine's
    /// own files untouched.
    func testResolvConfPerPolicy() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let topo = try Topology.parse(yaml: """
            domain: lab.test
            hosts:
              h1: {dns: {options: {ndots: 5}}}
              h2: {dns: {policy: none, nameservers: [192.0.2.53], search: [x.test]}}
              h3: {dns: {policy: host}}
            switches: {s1: {}}
            links: [[h1, s1], [h2, s1], [h3, s1]]
            """, file: "p.yaml")
        try withNetwork(topo) { net in
            let h1 = try net.shell(on: "h1", "cat /etc/resolv.conf")
            XCTAssertEqual(h1.stdout, "# written by swiftnet for this emulated host (policy: embedded)\nnameserver 127.0.0.11\nsearch lab.test\noptions ndots:5\n")
            // Its own host name, which its /etc/hosts maps.
            XCTAssertEqual(try net.shell(on: "h1", "hostname; getent hosts $(hostname)").stdout, "h1\n10.0.0.1        h1.lab.test h1\n")
            let h2 = try net.shell(on: "h2", "cat /etc/resolv.conf; cat /etc/hosts")
            XCTAssertTrue(h2.stdout.contains("nameserver 192.0.2.53\nsearch x.test\n"), h2.stdout)
            XCTAssertTrue(h2.stdout.contains("10.0.0.2\th2.lab.test h2\n"), h2.stdout)
            XCTAssertTrue(h2.stdout.contains("10.0.0.1\th1.lab.test h1\n"), "no DNS server of the run serves h2: /etc/hosts lists the nodes\n\(h2.stdout)")
            let machine = try String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)
            let h3 = try net.shell(on: "h3", "cat /etc/resolv.conf")
            for line in machine.split(separator: "\n") where line.hasPrefix("nameserver ") && !line.contains(" 127.") {
                XCTAssertTrue(h3.stdout.contains(line), "policy host copies \(line)\n\(h3.stdout)")
            }
            XCTAssertFalse(h3.stdout.contains("nameserver 127."), h3.stdout)
            // The machine's files, seen from the root namespace while hosts use theirs.
            XCTAssertEqual(before.etcFiles, try RootSnapshot.take().etcFiles)
        }
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// Examples/k8s-dns.yaml: kubelet's policies side by side, checked by swiftnet's own
    /// `dig +search` and `resolv` steps and by glibc (getent) and dig in the pods; the
    /// search line kubelet would cut is cut, with its DNSConfigForming warning.
    func testKubernetesDNSExample() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let r = try CLI.run(["test", CLI.packageRoot + "/Examples/k8s-dns.yaml", "--junit", "\(dir)/k8s.xml"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").last, "16 passed, 0 failed", r.stdout)
        XCTAssertTrue(r.stderr.contains("swiftnet: warning: ") && r.stderr.contains("k8s-dns.yaml:22: host 'crowded': DNSConfigForming: Search Line limits were exceeded"), r.stderr)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// Docker's policies on real hosts: `docker` asks the embedded server at 127.0.0.11
    /// (the hosts' names answer, others are NXDOMAIN: nothing leaves the network) with
    /// ndots:0; `docker-bridge` gets the machine's file without loopback nameservers and,
    /// as under dockerd, a hosts file that names the host alone. The cluster DNS address
    /// is on a pod's loopback only, answered there by the embedded server.
    func testDockerPoliciesAndTheClusterAddress() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        var topo = try Topology.parse(yaml: """
            cluster: {dns: 10.96.0.10}
            hosts:
              c1: {dns: {policy: docker, search: [lab.test]}}
              c2: {dns: {policy: docker-bridge}}
              pod: {}
            switches: {s1: {}}
            links: [[c1, s1], [c2, s1], [pod, s1]]
            """, file: "docker.yaml")
        topo.machineResolvConf = "nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0 ndots:2\n"
        try withNetwork(topo) { net in
            let c1 = try net.shell(on: "c1", "cat /etc/resolv.conf")
            XCTAssertTrue(c1.stdout.contains("\nnameserver 127.0.0.11\nsearch lab.test\noptions edns0 ndots:0\n"), c1.stdout)
            XCTAssertTrue(c1.stdout.contains("127.0.0.53 192.0.2.53"), "the machine's nameservers are named as the upstreams\n\(c1.stdout)")
            XCTAssertEqual(try net.shell(on: "c1", "getent hosts pod").stdout.split(separator: " ").first.map(String.init),
                           try XCTUnwrap(net.topology.host("pod")).ip.address.description)
            XCTAssertEqual(try net.shell(on: "c1", "getent hosts nowhere.example; echo status=$?").stdout, "status=2\n")
            let c2 = try net.shell(on: "c2", "cat /etc/resolv.conf; cat /etc/hosts")
            XCTAssertTrue(c2.stdout.contains("\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0 ndots:2\n"), c2.stdout)
            XCTAssertFalse(c2.stdout.contains("127.0.0.53"), c2.stdout)
            XCTAssertFalse(c2.stdout.contains("\tc1") || c2.stdout.contains("\tpod"), "dockerd's hosts file names the container only\n\(c2.stdout)")
            // The pod reaches the cluster DNS on its own loopback; c2 has no such address.
            let pod = try net.shell(on: "pod", "getent hosts c1.default.svc.cluster.local; ip -o addr show dev lo")
            XCTAssertTrue(pod.stdout.hasPrefix(try XCTUnwrap(net.topology.host("c1")).ip.address.description), pod.stdout)
            XCTAssertTrue(pod.stdout.contains("inet 10.96.0.10/32"), pod.stdout)
            XCTAssertFalse(try net.shell(on: "c2", "ip -o addr show dev lo").stdout.contains("10.96.0.10"))
        }
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// A real DNS server as a node: dnsmasq answers for the nodes and the records.
    func testDnsmasqNode() throws {
        try requireRoot()
        try requireProgram("/usr/sbin/dnsmasq", "dnsmasq (make deps installs dnsmasq-base)")
        let before = try RootSnapshot.take()
        let file = try write("dnsmasq.yaml", """
            domain: corp.test
            records: {www.corp.test: 10.0.0.80, docs.corp.test: www.corp.test}
            hosts:
              h1: {dns: {policy: none, nameservers: [ns1], search: [corp.test]}}
              web: {ip: 10.0.0.80/8}
              ns1: {kind: dns, ip: 10.0.0.53/8}
            switches: {s1: {}}
            links: [[h1, s1], [web, s1], [ns1, s1]]
            experiment:
              - resolve: {on: h1, name: web, expect: 10.0.0.80}
              - resolve: {on: h1, name: web.corp.test, expect: 10.0.0.80}
              - resolve: {on: h1, name: docs, expect: 10.0.0.80}
              - resolve: {on: h1, name: nosuch, expect: nxdomain}
              - run: {on: h1, cmd: "getent hosts 10.0.0.53", expect_output: "ns1"}
            """)
        let r = try CLI.run(["test", file])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasSuffix("5 passed, 0 failed\n"), r.stdout)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// The Swift API: the same checks, thrown as CheckFailure with what was seen.
    func testAsyncCheckAPI() async throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let topo = try Topology.parse(yaml: Self.lab, file: "api.yaml").validated()
        let net = Network(topo)
        try net.start()
        defer { net.stop() }
        try await net.expectPing(from: "h1", to: "h2")
        try await net.expectPing(from: "h1", to: "10.9.9.9", succeeds: false)
        try await net.expectTCP(from: "h1", to: "web", port: 80, succeeds: false)
        try await net.expectCommand(on: "h1", "cat /etc/hosts", outputContains: "h1")
        do {
            try await net.expectPing(from: "h1", to: "10.9.9.9", within: .milliseconds(600))
            XCTFail("expected a CheckFailure")
        } catch let f as CheckFailure {
            XCTAssertFalse(f.report.passed)
            XCTAssertGreaterThan(f.report.attempts, 0)
            XCTAssertTrue(f.description.hasPrefix("ping h1 -> 10.9.9.9: expected a reply, got no reply"), f.description)
        }
        net.stop()
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// `swiftnet run FILE` runs the steps, then holds the network until Ctrl-C.
    func testRunRunsTheStepsThenHolds() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let file = try write("run.yaml", Self.lab + "experiment:\n  - ping: {from: h1, to: h2}\n  - ping: {from: h1, to: web}\n")
        // The summary of the steps comes before the network is held.
        let (p, out) = try CLI.start(["run", file], waitFor: "*** 2 passed, 0 failed")
        XCTAssertTrue(p.isRunning, "the network is held after the steps")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let rest = readRest(out)
        XCTAssertEqual(p.terminationStatus, 0, rest)
        XCTAssertTrue(rest.contains("*** Done"), rest)
        XCTAssertEqual(before, try RootSnapshot.take())
    }
}
