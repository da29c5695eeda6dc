import Foundation
import Swiftnet
import XCTest

/// swiftnet in Mininet's place: started as `mn`, `dump` with pids, `--pre`/`--post`,
/// `-c`, `--arp` and `--mac`.
final class MininetDropInTests: FileTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try requireRoot()
        try requireProgram(CLI.binary, "swiftnet (swift build)")
    }

    /// A link named `mn` to the built binary, in the test's directory.
    func mnLink() throws -> String {
        let mn = "\(dir)/mn"
        try FileManager.default.createSymbolicLink(atPath: mn, withDestinationPath: CLI.binary)
        return mn
    }

    func testStartedAsMnItSaysMnAndPromptsMininet() throws {
        let mn = try mnLink()
        let help = try CLI.run(["-h"], program: mn)
        XCTAssertEqual(help.status, 0, help.stderr)
        // Mininet's own test looks for "Usage: mn", then the options follow.
        XCTAssertTrue(help.stdout.contains("Usage: mn "), help.stdout)
        XCTAssertTrue(help.stdout.contains("--topo <topo>") && help.stdout.contains("--custom <custom>"), help.stdout)
        XCTAssertFalse(help.stdout.contains("swiftnet <subcommand>"), help.stdout)
        let bad = try CLI.run(["--frobnicate"], program: mn)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("Usage: mn ") || bad.stderr.contains("USAGE: mn "), bad.stderr)
        // Under its own name it stays swiftnet.
        let own = try CLI.run(["-h"])
        XCTAssertTrue(own.stdout.contains("USAGE: swiftnet "), own.stdout)

        let before = try RootSnapshot.take()
        let t = try ShellTests.Tmux(session: "snmn\(getpid())", swiftnet: "--topo minimal", binary: mn)
        XCTAssertTrue(t.waitFor("mininet>"), t.screen())
        XCTAssertFalse(t.screen().contains("swiftnet>"), t.screen())
        var listed = false
        for _ in 0..<3 where !listed {
            try t.type("nodes", "Enter")
            listed = t.waitFor("h1 h2 s1", timeout: 3)
        }
        XCTAssertTrue(listed, t.screen())
        try t.type("exit", "Enter")
        XCTAssertTrue(t.waitFor("*** Done"), t.screen())
        XCTAssertTrue(try eventually(5) { try RootSnapshot.take() == before })
    }

    /// `make install` links `mn` to swiftnet only where no `mn` is found on PATH.
    func testInstallLinksMnOnlyWithoutARealOne() throws {
        let prefix = "\(dir)/prefix", tools = "\(dir)/tools"
        for d in [prefix + "/bin", tools] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try "#!/bin/sh\n".write(toFile: prefix + "/bin/swiftnet", atomically: false, encoding: .utf8)
        // Only what the recipe needs on PATH: no Mininet there.
        for t in ["readlink", "ln"] { try FileManager.default.createSymbolicLink(atPath: "\(tools)/\(t)", withDestinationPath: "/usr/bin/\(t)") }
        func install() throws -> String {
            try tool("/usr/bin/env", ["PATH=\(tools)", "/usr/bin/make", "-s", "-C", CLI.packageRoot, "install-mn", "PREFIX=\(prefix)"])
        }
        let made = try install()
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: prefix + "/bin/mn"), "swiftnet", made)
        XCTAssertTrue(made.contains("bin/mn -> swiftnet"), made)
        XCTAssertEqual(try install(), "", "a second install has nothing to say")
        // A real mn on PATH: nothing made, one line saying so and how to link by hand.
        try FileManager.default.removeItem(atPath: prefix + "/bin/mn")
        try "#!/bin/sh\n".write(toFile: tools + "/mn", atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(tools + "/mn", 0o755), 0)
        let left = try install()
        XCTAssertFalse(FileManager.default.fileExists(atPath: prefix + "/bin/mn"), left)
        XCTAssertTrue(left.contains("Left \(tools)/mn alone") && left.contains("ln -s \(prefix)/bin/swiftnet"), left)
        XCTAssertEqual(left.split(separator: "\n").count, 1, left)
    }

    func testDumpPrintsMininetsReprWithPids() throws {
        let cmds = try write("dump.txt", "dump\n")
        let r = try CLI.run(["--topo", "single,2", "--switch", "user"], stdin: cmds)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertNotNil(r.stdout.range(of: #"<Host h1: h1-eth0:10\.0\.0\.1 pid=\d+>\n<Host h2: h2-eth0:10\.0\.0\.2 pid=\d+>\n<UserSwitch s1: lo:127\.0\.0\.1,s1-eth1:None,s1-eth2:None pid=\d+>"#, options: .regularExpression), r.stdout)
        let br = try CLI.run(["--topo", "linear,2"], stdin: cmds)
        XCTAssertNotNil(br.stdout.range(of: #"<LinuxBridge s2: lo:127\.0\.0\.1,s2-eth1:None,s2-eth2:None pid=\d+>"#, options: .regularExpression), br.stdout)
    }

    /// `Node.pid` is the node's persistent bash, started on demand and the same afterwards.
    func testNodePIDIsItsPersistentShell() throws {
        try withNetwork(star(2, name: "pid\(getpid())")) { net in
            let h1 = try net.node("h1")
            let pid = try h1.pid
            XCTAssertEqual(try h1.pid, pid)
            XCTAssertEqual(try String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), "bash\n")
            let ns = try h1.cmd("readlink /proc/self/ns/net").trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net"), ns)
            let s1 = try net.node("s1").pid
            XCTAssertNotEqual(s1, pid)
            XCTAssertNotEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(s1)/ns/net"), ns)
        }
    }

    func testPreAndPostScriptsRunAroundTheTestAndTheShell() throws {
        let pre = try write("pre.txt", "h1 echo PRE-$((40+2))\nbogus\nh2 echo PRE-AFTER-ERROR\n")
        let post = try write("post file.txt", "h2 echo POST-$((1+1))\n")
        let r = try CLI.run(["--topo", "single,2", "--pre", pre, "--post", post, "--test", "pingall"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let out = r.stdout
        guard let a = out.range(of: "PRE-42"), let b = out.range(of: "PRE-AFTER-ERROR"), let c = out.range(of: "*** Results: 0% dropped"),
              let d = out.range(of: "POST-2"), let e = out.range(of: "*** Stopping") else {
            return XCTFail(out)
        }
        XCTAssertTrue(a.lowerBound < b.lowerBound && b.lowerBound < c.lowerBound && c.lowerBound < d.lowerBound && d.lowerBound < e.lowerBound, out)
        XCTAssertTrue(r.stderr.contains("*** Unknown command: bogus"), r.stderr)
        // Around the shell (reading a script from stdin).
        let cmds = try write("cmds.txt", "h1 echo SHELL\n")
        let s = try CLI.run(["--topo", "minimal", "--pre", pre, "--post", post], stdin: cmds)
        XCTAssertEqual(s.status, 0, s.stdout + s.stderr)
        guard let p1 = s.stdout.range(of: "PRE-42"), let p2 = s.stdout.range(of: "SHELL"), let p3 = s.stdout.range(of: "POST-2") else { return XCTFail(s.stdout) }
        XCTAssertTrue(p1.lowerBound < p2.lowerBound && p2.lowerBound < p3.lowerBound, s.stdout)
    }

    func testMissingPreOrPostFileIsBadInputBeforeAnythingIsBuilt() throws {
        let before = try RootSnapshot.take()
        for option in ["--pre", "--post"] {
            let missing = "\(dir)/no-such-\(option.dropFirst(2)).txt"
            let r = try CLI.run(["--topo", "single,2", option, missing, "--test", "pingall"])
            XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
            XCTAssertTrue(r.stderr.contains("\(option) \(missing): cannot read the file"), r.stderr)
            XCTAssertFalse(r.stdout.contains("*** Creating network"), r.stdout)
        }
        XCTAssertEqual(try RootSnapshot.take(), before)
    }

    func testCleanFlagCleansAsTheCleanCommand() throws {
        for flag in ["-c", "--clean"] {
            let r = try CLI.run([flag])
            XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
            XCTAssertTrue(r.stdout.hasPrefix("*** Removing leftovers of crashed swiftnet runs\n"), r.stdout)
            XCTAssertTrue(r.stdout.hasSuffix("*** Cleanup complete\n"), r.stdout)
            XCTAssertFalse(r.stdout.contains("*** Creating network"), r.stdout)
        }
    }

    func testStaticARPAndMininetMACs() throws {
        let cmds = try write("arp.txt", "h1 ip neigh show dev h1-eth0\nh3 ip neigh show dev h3-eth0\nh1 ip link show h1-eth0\npingall\n")
        let r = try CLI.run(["--topo", "single,3", "--arp", "--mac"], stdin: cmds)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        for line in ["10.0.0.2 lladdr 00:00:00:00:00:02 PERMANENT", "10.0.0.3 lladdr 00:00:00:00:00:03 PERMANENT",
                     "10.0.0.1 lladdr 00:00:00:00:00:01 PERMANENT", "link/ether 00:00:00:00:00:01",
                     "*** Results: 0% dropped (6/6 received)"] {
            XCTAssertTrue(r.stdout.contains(line), "\(line): \(r.stdout)")
        }
        // Without --mac the entries carry the kernel's MACs; without --arp there are none.
        let kernel = try write("kernel.txt", "h1 ip neigh show nud permanent\nh2 cat /sys/class/net/h2-eth0/address\n")
        let k = try CLI.run(["--topo", "single,2", "--arp", "-v", "output"], stdin: kernel)
        let lines = k.stdout.split(separator: "\n").map(String.init)
        let mac = try XCTUnwrap(lines.last)
        XCTAssertTrue(k.stdout.contains("10.0.0.2 dev h1-eth0 lladdr \(mac) PERMANENT"), k.stdout)
        let none = try CLI.run(["--topo", "single,2", "-v", "output"], stdin: try write("none.txt", "h1 ip neigh show nud permanent\n"))
        XCTAssertEqual(none.stdout, "", none.stdout)
    }

    /// Mininet's --mac is the host's number in the ipbase, as its address is.
    func testMACFollowsTheHostNumberWithAnotherIPBase() throws {
        let cmds = try write("mac.txt", "h2 cat /sys/class/net/h2-eth0/address\nh2 ip -br -4 addr show h2-eth0\n")
        let r = try CLI.run(["--topo", "single,2", "--mac", "-i", "10.7.0.0/16", "-v", "output"], stdin: cmds)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("00:00:00:00:00:02\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("10.7.0.2/16"), r.stdout)
    }
}
