import Foundation
import Swiftnet
import XCTest

/// The `swiftnet>` shell, driven as a script through stdin and as a person would,
/// through a terminal (tmux).
final class ShellTests: XCTestCase {
    override func setUp() async throws {
        try requireRoot()
        try requireProgram(CLI.binary, "swiftnet (swift build)")
    }

    /// Runs swiftnet with `script` on stdin.
    func runScript(_ args: [String], _ script: String) throws -> CLI.Output {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sn-shell-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("cmds.txt").path
        try script.write(toFile: file, atomically: false, encoding: .utf8)
        return try CLI.run(args, stdin: file)
    }

    func testScriptedSession() throws {
        let before = try RootSnapshot.take()
        let r = try runScript(["--topo", "linear,2"], """
            nodes
            net
            h1 ping -c1 h2
            bogus command
            link s1 s2 down
            pingall
            link s1 s2 up
            pingall
            h1 sleep 300 &
            jobs
            intfs
            h1 test -e /sys/class/net/h1-eth0
            """)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("available nodes are: \nh1 h2 s1 s2"), r.stdout)
        XCTAssertTrue(r.stdout.contains("s1 lo:  s1-eth1:h1-eth0 s1-eth2:s2-eth2"), r.stdout)
        XCTAssertTrue(r.stdout.contains("1 packets transmitted, 1 received"), r.stdout)
        XCTAssertTrue(r.stderr.contains("*** Unknown command: bogus command"), r.stderr)
        XCTAssertTrue(r.stdout.contains("*** Results: 100% dropped (0/2 received)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (2/2 received)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("h1: [1]+  Running                 sleep 300 &"), r.stdout)
        XCTAssertFalse(r.stdout.contains("swiftnet>"), "no prompt when stdin is not a terminal")
        XCTAssertTrue(try eventually(5) { try RootSnapshot.take() == before })
    }

    /// `link A B delay=` reads a duration as the command line's --link and YAML do: a
    /// unit is needed, and the refusal says so in the same words.
    func testLinkShapingReadsDurationsAsEverywhereElse() throws {
        let r = try runScript(["--topo", "minimal", "--switch", "user"], "link h1 s1 delay=10\nlink h1 s1 delay=5ms\n")
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("link h1-s1 has delay '10': write a number with a unit (us, ms, s, m or h) below 10000s, such as 10ms or 2s"), r.stderr)
        let cli = try CLI.run(["--topo", "minimal", "--switch", "user", "--link", "tc,delay=10", "--test", "build"])
        XCTAssertEqual(cli.status, 2, cli.stdout + cli.stderr)
        XCTAssertTrue(cli.stderr.contains("has delay '10': write a number with a unit (us, ms, s, m or h)"), cli.stderr)
    }

    func testScriptStatusIsTheLastCommands() throws {
        let failing = try runScript(["--topo", "minimal"], "nodes\nh1 false\n")
        XCTAssertEqual(failing.status, 1, failing.stderr)
        let recovered = try runScript(["--topo", "minimal"], "h1 false\nh1 true\n")
        XCTAssertEqual(recovered.status, 0, recovered.stderr)
        let lost = try runScript(["--topo", "minimal"], "link h1 s1 down\npingpair\n")
        XCTAssertEqual(lost.status, 1, lost.stdout)
    }

    // MARK: - A terminal

    /// swiftnet in a terminal of its own: a tmux session running `swiftnet ARGS` with an
    /// empty HOME (for its history file), both gone when the value is.
    final class Tmux {
        let session: String
        let home: String

        /// - Parameter binary: the program to start (swiftnet, or a link to it such as `mn`).
        init(session: String, swiftnet arguments: String, binary: String = CLI.binary) throws {
            try requireProgram("/usr/bin/tmux", "tmux (make deps installs it)")
            self.session = session
            home = FileManager.default.temporaryDirectory.appendingPathComponent("\(session)-home").path
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            // Started through system(3) with output to /dev/null: the tmux server forked here
            // inherits the caller's descriptors, and a pipe it keeps open never reaches its end.
            let command = "env HOME=\(home) \(binary) \(arguments); sleep 5"
            guard system("/usr/bin/tmux new-session -d -s \(session) -x 160 -y 50 '\(command)' </dev/null >/dev/null 2>&1") == 0 else {
                throw MissingPrerequisite("tmux could not start a session for swiftnet \(arguments)")
            }
        }

        deinit {
            _ = try? tmux(["kill-session", "-t", session])
            try? FileManager.default.removeItem(atPath: home)
        }

        @discardableResult
        func tmux(_ args: [String]) throws -> String { try tool("/usr/bin/tmux", args) }
        func screen() -> String { (try? tmux(["capture-pane", "-p", "-t", session, "-S", "-200"])) ?? "" }
        func type(_ keys: String...) throws { try tmux(["send-keys", "-t", session] + keys) }
        func waitFor(_ text: String, timeout: TimeInterval = 10) -> Bool { eventually(timeout) { screen().contains(text) } }
        func count(_ text: String) -> Int { screen().components(separatedBy: text).count - 1 }
    }

    func testInteractiveShellInATerminal() throws {
        let before = try RootSnapshot.take()
        let t = try Tmux(session: "sn\(getpid())", swiftnet: "--topo linear,2")
        XCTAssertTrue(t.waitFor("swiftnet>"), t.screen())  // tmux trims the trailing space

        // The first keys can be lost while libedit sets up the terminal: retry `nodes`.
        var listed = false
        for _ in 0..<3 where !listed {
            try t.type("nodes", "Enter")
            listed = t.waitFor("h1 h2 s1 s2", timeout: 3)
        }
        XCTAssertTrue(listed, t.screen())

        // Completion of "h" offers the host names.
        try t.type("h", "Tab", "Tab")
        XCTAssertTrue(t.waitFor("h1") && t.waitFor("h2"), t.screen())
        try t.type("C-u")

        // Ctrl-C stops a running ping and returns to the prompt; the network stays up.
        try t.type("h1 ping h2", "Enter")
        XCTAssertTrue(t.waitFor("icmp_seq=2"), t.screen())
        try t.type("C-c")
        XCTAssertTrue(t.waitFor("packets transmitted"), t.screen())
        let prompts = t.count("swiftnet>")
        try t.type("link s1 s2 down", "Enter")
        try t.type("pingall", "Enter")
        XCTAssertTrue(t.waitFor("*** Results: 100% dropped (0/2 received)"), t.screen())
        XCTAssertGreaterThan(t.count("swiftnet>"), prompts)
        try t.type("link s1 s2 up", "Enter")
        try t.type("pingall", "Enter")
        XCTAssertTrue(t.waitFor("*** Results: 0% dropped (2/2 received)"), t.screen())

        // A command in a node gets the terminal: it can read what is typed.
        try t.type("h1 echo ready-to-read; read x; echo got-$x", "Enter")
        XCTAssertTrue(t.waitFor("ready-to-read"), t.screen())
        try t.type("hello", "Enter")
        XCTAssertTrue(t.waitFor("got-hello"), t.screen())

        // Ctrl-C at an empty prompt does nothing harmful.
        try t.type("C-c")
        try t.type("C-c")
        try t.type("h1 echo still-here", "Enter")
        XCTAssertTrue(t.waitFor("still-here"), t.screen())

        try t.type("exit", "Enter")
        XCTAssertTrue(t.waitFor("*** Done"), t.screen())
        XCTAssertTrue(try eventually(5) { try RootSnapshot.take() == before })
        // libedit's history file escapes spaces as \040.
        let history = ((try? String(contentsOfFile: t.home + "/.swiftnet_history", encoding: .utf8)) ?? "")
            .replacingOccurrences(of: "\\040", with: " ")
        XCTAssertTrue(history.contains("link s1 s2 down"), "history: \(history)")
    }
}
