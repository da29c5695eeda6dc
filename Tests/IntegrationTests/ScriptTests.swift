import Foundation
import Swiftnet
import XCTest

/// Swift topology scripts: `swiftnet run FILE.swift`, its cache, compile errors, the
/// shebang form, `--custom FILE.swift --topo NAME,ARGS`, Ctrl-C, and `swiftnet doctor`.
/// Every script lives in a temporary directory outside the repository and compiles
/// against the library the swiftnet binary finds (the build tree here).
final class ScriptTests: FileTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        setenv("SWIFTNET_CACHE", dir + "/cache", 1)
    }

    override func tearDown() {
        unsetenv("SWIFTNET_CACHE")
        super.tearDown()
    }

    static let twoHosts = """
        import Swiftnet

        let hosts = Script.arguments.int("hosts", default: 2)
        let t = Topology("script") {
            Switch("s1")
            for i in 1...hosts {
                Host("h\\(i)")
                Link("h\\(i)", "s1")
            }
        }
        Script.offer(["star": { args in
            Topology("star") {
                Switch("s1")
                for i in 1...args.int(0, default: 2) { Host("h\\(i)"); Link("h\\(i)", "s1") }
            }
        }])
        Script.run(t) { net in
            print("script sees \\(net.topology.hosts.count) hosts; words: \\(Script.arguments.positional)")
            let r = Script.pingAll(net)
            if !r.allReceived { throw ScriptError("pingall lost pings") }
        }
        """

    func testScriptCompilesOnceThenRunsFromTheCache() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let script = try write("star.swift", Self.twoHosts)
        let t0 = Date()
        let first = try CLI.run(["run", script, "--", "--hosts", "3", "extra"])
        let compileRun = Date().timeIntervalSince(t0)
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        XCTAssertTrue(first.stderr.contains("*** Compiling"), first.stderr)
        XCTAssertTrue(first.stdout.contains("script sees 3 hosts; words: [\"extra\"]"), first.stdout)
        XCTAssertTrue(first.stdout.contains("*** Results: 0% dropped (6/6 received)"), first.stdout)
        let t1 = Date()
        let second = try CLI.run(["run", script, "--", "--hosts", "2"])
        let cachedRun = Date().timeIntervalSince(t1)
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        XCTAssertFalse(second.stderr.contains("*** Compiling"), "the second run comes from the cache: \(second.stderr)")
        XCTAssertTrue(second.stdout.contains("script sees 2 hosts"), second.stdout)
        print(String(format: "script timing: first run (compile + run) %.3f s, second run (cached) %.3f s", compileRun, cachedRun))
        XCTAssertLessThan(cachedRun, compileRun)
        // A changed script is compiled again.
        try (Self.twoHosts + "\n// changed\n").write(toFile: script, atomically: false, encoding: .utf8)
        let third = try CLI.run(["run", script])
        XCTAssertTrue(third.stderr.contains("*** Compiling"), third.stderr)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    func testTypeErrorFailsWithItsLineAndStatus2() throws {
        try requireRoot()
        let script = try write("bad.swift", "import Swiftnet\n\nlet n: Int = \"three\"\nprint(n)\n")
        let r = try CLI.run(["run", script])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("bad.swift:3:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("error:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("did not compile"), r.stderr)
    }

    func testBadTopologyInAScriptNamesItsLine() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let script = try write("dup.swift", """
            import Swiftnet
            let t = Topology("dup") {
                Host("h1")
                Host("h1")
            }
            Script.run(t) { _ in }
            """)
        let r = try CLI.run(["run", script])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("dup.swift:4"), r.stderr)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    func testCustomScriptTopology() throws {
        try requireRoot()
        let script = try write("star.swift", Self.twoHosts)
        let r = try CLI.run(["--custom", script, "--topo", "star,4", "--test", "pingall"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("h1 h2 h3 h4 "), r.stdout)
        XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (12/12 received)"), r.stdout)
        let unknown = try CLI.run(["--custom", script, "--topo", "ring,4", "--test", "pingall"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("this script offers: star"), unknown.stderr)
    }

    func testShebangLine() throws {
        try requireRoot()
        let script = try write("tiny.swift", "#!/usr/bin/env -S swiftnet run\n" + Self.twoHosts)
        chmod(script, 0o755)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: script)
        p.arguments = ["--hosts", "2", "word"]
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = (CLI.binary as NSString).deletingLastPathComponent + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("script sees 2 hosts; words: [\"word\"]"), text)
    }

    func testCtrlCDuringAScriptLeavesNothing() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let script = try write("hold.swift", """
            import Foundation
            import Swiftnet
            let t = Topology("hold") { Switch("s1"); Host("h1"); Host("h2"); Link("h1", "s1"); Link("h2", "s1") }
            Script.run(t) { net in
                _ = try net.startBackground(on: "h1", ["sleep", "300"])
                print("ready")
                fflush(nil)
                Thread.sleep(forTimeInterval: 60)
            }
            """)
        let (p, out) = try CLI.start(["run", script], waitFor: "ready", timeout: 60)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        _ = readRest(out)
        XCTAssertEqual(p.terminationStatus, 130)
        usleep(200_000)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// SIGKILL gives the script no chance to clean up: the kernel and the janitor do it.
    func testSIGKILLDuringAScriptLeavesNothing() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let script = try write("killed.swift", """
            import Foundation
            import Swiftnet
            var o = NetworkOptions()
            o.publishNamespaces = true
            o.runName = "killed\\(getpid())"
            let t = Topology("killed") { Switch("s1"); Host("h1"); Host("h2"); Link("h1", "s1"); Link("h2", "s1") }
            Script.run(t, options: o) { net in
                _ = try net.startBackground(on: "h1", ["sleep", "300"])
                print("ready")
                fflush(nil)
                Thread.sleep(forTimeInterval: 60)
            }
            """)
        let (p, out) = try CLI.start(["run", script], waitFor: "ready", timeout: 60)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        _ = readRest(out)
        // The janitor unmounts the published namespaces once it sees the process gone.
        let deadline = Date().addingTimeInterval(5)
        var after = try RootSnapshot.take()
        while after != before && Date() < deadline {
            usleep(100_000)
            after = try RootSnapshot.take()
        }
        XCTAssertEqual(before, after)
    }

    /// Mininet's CLI(net): the shell inside a script, here reading its commands from stdin.
    func testShellInsideAScript() throws {
        try requireRoot()
        let script = try write("cli.swift", """
            import Swiftnet
            import SwiftnetCLI
            let t = Topology("cli") { Switch("s1"); Host("h1"); Host("h2"); Link("h1", "s1"); Link("h2", "s1") }
            Script.run(t) { net in
                let status = Shell.interact(with: net)
                print("shell ended with \\(status)")
            }
            """)
        let commands = try write("commands.txt", "nodes\npingall\nh1 hostname\n")
        let r = try CLI.run(["run", script], stdin: commands)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("available nodes are"), r.stdout)
        XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (2/2 received)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("shell ended with 0"), r.stdout)
    }

    func testDoctorReportsTheLibrary() throws {
        let r = try CLI.run(["doctor"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("library for scripts"), r.stdout)
        XCTAssertTrue(r.stdout.contains("libSwiftnet.so"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Swift compiler"), r.stdout)
    }

    /// The scripts shipped in Topologies/ compile and build what they offer.
    func testShippedTopologyScripts() throws {
        try requireRoot()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let topologies = root.appendingPathComponent("Topologies").path
        for (file, topo, hosts) in [("dumbbell.swift", "dumbbell,3,20", 6), ("fattree.swift", "fattree,4", 16),
                                    ("datacenter.swift", "leafspine,2,3,2", 6)] {
            let r = try CLI.run(["--custom", "\(topologies)/\(file)", "--topo", topo, "--test", "pingall"])
            XCTAssertEqual(r.status, 0, "\(file): \(r.stdout) \(r.stderr)")
            let n = hosts * (hosts - 1)
            XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (\(n)/\(n) received)"), "\(file): \(r.stdout)")
        }
        let m = try CLI.run(["run", "\(topologies)/measure.swift", "--", "--topo", "single,3", "--seconds", "1", "--pairs", "1"])
        XCTAssertEqual(m.status, 0, m.stdout + m.stderr)
        XCTAssertTrue(m.stdout.contains("iperf3 h1 -> h3"), m.stdout)
        XCTAssertTrue(m.stdout.contains("6/6 answered"), m.stdout)
    }
}
