import Foundation
import XCTest

/// Mininet's Python API on swiftnet's engine: the corpus of scripts in
/// Tests/MininetScripts (each checks itself and prints PASS), Mininet's own examples as
/// Debian's mininet installs them (written by others, run unchanged), `--custom` Python
/// files, and what a script that ends abruptly leaves (nothing).
final class MininetPythonTests: FileTestCase {
    static let scripts = CLI.packageRoot + "/Tests/MininetScripts"
    static let mininetExamples = "/usr/lib/python3/dist-packages/mininet/examples"

    /// Runs `swiftnet python ARGS` and checks the machine is as before.
    func python(_ args: [String], stdin: String? = nil, timeout: TimeInterval = 120) throws -> CLI.Output {
        try requireRoot()
        let before = try RootSnapshot.take()
        let r = try CLI.run(["python"] + args, stdin: stdin, timeout: timeout)
        XCTAssertEqual(try RootSnapshot.take(), before, "\(args) left something behind")
        return r
    }

    func corpus(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try python([Self.scripts + "/\(name).py"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr, file: file, line: line)
        XCTAssertTrue(r.stdout.contains("PASS \(name)"), r.stdout + r.stderr, file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Traceback"), r.stderr, file: file, line: line)
    }

    func testAPI() throws { try corpus("api") }
    func testTCLinkShapingWithinTenPercent() throws { try corpus("tclink") }
    func testPopenAndPmonitor() throws { try corpus("popen") }
    func testLinuxRouterTTL63() throws { try corpus("router") }
    func testVLANInterfacesInsideHosts() throws {
        // Asked of the kernel here, in a namespace of its own, not of the script: where the
        // kernel has VLAN devices the script must pass.
        try requireRoot()
        let probe = try CLI.run(["-n", "sh", "-c", "ip link add v0 type veth peer name v1 && ip link add link v0 name v0.7 type vlan id 7"],
                                program: "/usr/bin/unshare")
        if probe.status != 0 {
            XCTAssertTrue(probe.stderr.contains("Unknown device type"), "the probe failed for another reason: \(probe.stderr)")
            throw kernelLacks("VLAN devices (8021q)", "ip link add ... type vlan says: \(probe.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        try corpus("vlan")
    }

    /// Examples/mininet: scripts that run under Mininet too (see its README).
    func testExamplesThatRunOnBoth() throws {
        let dir = CLI.packageRoot + "/Examples/mininet"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".py") }.sorted()
        XCTAssertEqual(files, ["linux_router.py", "shaped_iperf.py", "star_pingall.py"])
        for f in files {
            let r = try python([dir + "/" + f])
            XCTAssertEqual(r.status, 0, "\(f): \(r.stdout) \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Traceback"), "\(f): \(r.stderr)")
        }
    }

    func testWhatIsMissingIsOneLineAndExitTwo() throws {
        for (what, says) in [("nat", "NAT (net.addNAT)"), ("xterms", "xterms"), ("vsctl", "ovs-vsctl on switch s1"),
                             ("badlink", "refused.py:23: interface name 'this-name-is-far-too-long'")] {
            let r = try python([Self.scripts + "/refused.py", what])
            XCTAssertEqual(r.status, 2, "\(what): \(r.stdout) \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(says), "\(what): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Traceback"), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.hasPrefix("*** swiftnet:") }.count, 1, r.stderr)
            XCTAssertFalse(r.stdout.contains("not refused"), r.stdout)
        }
    }

    func testPythonPathAndPlainPython3() throws {
        let path = try CLI.run(["python-path"])
        XCTAssertEqual(path.status, 0)
        let dir = path.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/mininet/net.py"), dir)
        // Without swiftnet python: PYTHONPATH and python3, as a user's own runner would.
        try requireRoot()
        let before = try RootSnapshot.take()
        let r = try CLI.run(["from mininet.net import Mininet; from mininet.topo import LinearTopo; "
                             + "n = Mininet(topo=LinearTopo(3)); n.start(); l = n.pingAll(); n.stop(); print('LOSS', l)"],
                            prefix: ["/usr/bin/env", "PYTHONPATH=\(dir)", "SWIFTNET_BIN=\(CLI.binary)", "python3"], program: "-c")
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("LOSS 0.0"), r.stdout + r.stderr)
        XCTAssertEqual(try RootSnapshot.take(), before)
    }

    /// Mininet's own examples, unchanged, through `python -m mininet.examples.NAME`.
    func testMininetsOwnExamples() throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.mininetExamples + "/linuxrouter.py"),
                      "Debian's mininet is not installed (make test installs it)")
        // CLI(net) reads these commands from standard input.
        let input = try write("cli.txt", "pingall\npy net.hosts\nexit\n")
        let expect: [(String, String)] = [
            ("emptynet", "h1 -> h2"), ("linuxrouter", "r0-eth3"), ("popen", "packets transmitted"),
            ("multilink", "*** Done"), ("multipoll", "Monitoring output"), ("bind", "Done."),
            ("controllers2", "*** Done"), ("treeping64", "packet loss"), ("intfoptions", ""),
            // It polls every host's stdout for what a `&` loop in its shell prints.
            ("multiping", "1 received, 0% packet loss"),
        ]
        for (name, says) in expect {
            let r = try python(["-m", "mininet.examples.\(name)"], stdin: input, timeout: 180)
            if name == "intfoptions" {
                // It asks for loss and delay: the kernel's netem, or one line saying it is missing.
                if r.status == 2 {
                    XCTAssertTrue(r.stderr.contains("sch_netem"), r.stderr)
                    continue
                }
            }
            XCTAssertEqual(r.status, 0, "\(name): \(r.stdout.suffix(2000)) \(r.stderr.suffix(2000))")
            XCTAssertTrue((r.stdout + r.stderr).contains(says), "\(name): \(r.stdout.suffix(2000)) \(r.stderr.suffix(2000))")
            XCTAssertFalse(r.stderr.contains("Traceback"), "\(name): \(r.stderr)")
            if name == "multiping" {
                // The bogus address each group also pings, answered by nobody.
                XCTAssertTrue((r.stdout + r.stderr).contains("-> 10.0.0.200 1 packets transmitted, 0 received"), String(r.stderr.suffix(2000)))
            }
        }
    }

    func testCustomPythonFileTopologyAndTest() throws {
        let file = try write("topo2.py", """
            from mininet.topo import Topo
            class TwoSwitches(Topo):
                def build(self, bw=None):
                    h1, h2 = self.addHost('h1'), self.addHost('h2')
                    s3, s4 = self.addSwitch('s3'), self.addSwitch('s4')
                    self.addLink(h1, s3)
                    self.addLink(s3, s4)
                    self.addLink(s4, h2)
            def ends(net):
                print('ENDS', net.hosts[0].cmd('ping -c1 -W1', net.hosts[1].IP()).count('1 received'))
            topos = {'mytopo': (lambda: TwoSwitches())}
            tests = {'ends': ends}

            """)
        try requireRoot()
        let r = try CLI.run(["--custom", file, "--topo", "mytopo", "--test", "pingall"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (2/2 received)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("s3 s4"), r.stdout)
        let t = try CLI.run(["--custom", file, "--topo", "mytopo", "--test", "ends"])
        XCTAssertEqual(t.status, 0, t.stdout + t.stderr)
        XCTAssertTrue(t.stdout.contains("ENDS 1"), t.stdout + t.stderr)
        let bad = try write("bad.py", "from mininet.topo import Topo\nclass T(Topo):\n    def build(self):\n        self.addHost('h1')\n        self.addSwitch('s1')\n        self.addLink('h1', 's1', delay=5)\ntopos = {'t': T}\n")
        let b = try CLI.run(["--custom", bad, "--topo", "t", "--link", "tc", "--test", "pingall"])
        XCTAssertEqual(b.status, 2)
        XCTAssertTrue(b.stderr.contains("bad.py:6: link h1-s1 has delay '5'"), b.stderr)
        let syntax = try write("syntax.py", "x = = 1\n")
        let s = try CLI.run(["--custom", syntax, "--topo", "t"])
        XCTAssertEqual(s.status, 2)
        XCTAssertTrue(s.stderr.contains("syntax.py:1: SyntaxError"), s.stderr)
        XCTAssertFalse(s.stderr.contains("Traceback"), s.stderr)
    }

    /// A script killed with SIGKILL (or ended by Ctrl-C) leaves nothing: its engine sees
    /// the pipe close and tears the network down.
    func testKilledScriptLeavesNothing() throws {
        try requireRoot()
        let script = try write("hold.py", """
            import time
            from mininet.net import Mininet
            from mininet.topo import LinearTopo
            net = Mininet(topo=LinearTopo(4))
            net.start()
            net['h1'].cmd('sleep 600 &')
            net['h2'].popen('sleep 600')
            print('READY', flush=True)
            time.sleep(600)

            """)
        for sig in [SIGKILL, SIGINT] {
            let before = try RootSnapshot.take()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["python", script]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            var seen = Data()
            let deadline = Date().addingTimeInterval(30)
            while !String(decoding: seen, as: UTF8.self).contains("READY") && Date() < deadline {
                seen += out.fileHandleForReading.availableData
            }
            XCTAssertTrue(String(decoding: seen, as: UTF8.self).contains("READY"))
            // Ctrl-C reaches the terminal's whole group: the script and its engine.
            if sig == SIGINT { kill(p.processIdentifier, SIGINT); killEngines(of: p.processIdentifier, SIGINT) } else { kill(p.processIdentifier, sig) }
            p.waitUntilExit()
            var same = false
            for _ in 0..<100 {
                if try RootSnapshot.take() == before { same = true; break }
                usleep(50_000)
            }
            XCTAssertTrue(same, "signal \(sig): the network outlived its script")
        }
    }

    private func killEngines(of parent: pid_t, _ sig: Int32) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == parent { kill(pid, sig) }
        }
    }
}
