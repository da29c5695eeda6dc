import Foundation
import Swiftnet
import SwiftnetCLI
import XCTest

/// The verbs in-process, over a network that is not started: what needs only the
/// topology, the shell's own errors, and the registry.
final class VerbTests: XCTestCase {
    func testHelpListsEveryRegisteredVerbInOrder() throws {
        let (shell, out) = try unstartedShell()
        XCTAssertEqual(shell.status("help"), 0)
        let expected = "Documented commands:\n" + ShellVerbs.standard.all.map { "  \($0.help)\n" }.joined()
            + "\nAny other line starting with a node name runs in that node's shell: h1 ping -c1 h2\n"
            + "(node names become their IP addresses; cd, variables and & jobs stay, as in Mininet).\n"
        XCTAssertEqual(out.output, expected)
        XCTAssertEqual(out.errors, "")
        // The list Mininet users know, in the order they know it.
        XCTAssertEqual(ShellVerbs.standard.all.map(\.name), [
            "help", "nodes", "net", "dump", "links", "intfs", "ports", "pingall", "pingallfull", "pingpair",
            "pingpairfull", "iperf", "iperfudp", "link", "route", "path", "dpctl", "controller", "switch", "sh", "source", "time", "py", "px",
            "noecho", "xterm", "wait", "jobs", "exit", "quit",
        ])
        for verb in ShellVerbs.standard.all {
            XCTAssertTrue(verb.help.hasPrefix(verb.name + " ") || verb.help.hasPrefix(verb.name + ":"), verb.help)
        }
    }

    func testXtermSaysWhatToUseInstead() throws {
        let (shell, out) = try unstartedShell()
        for line in ["xterm h1", "x h1", "gterm h1"] {
            XCTAssertEqual(shell.status(line), 1, line)
            XCTAssertTrue(out.errors.contains("opens no terminal windows (there is no display)"), out.errors)
            XCTAssertTrue(out.errors.contains("swiftnet exec"), out.errors)
            out.clear()
        }
    }

    func testVerbNamesAreUnique() {
        let names = ShellVerbs.standard.all.flatMap { [$0.name] + $0.aliases }
        XCTAssertEqual(names.count, Set(names).count, names.description)
    }

    func testHelpForOneVerb() throws {
        let (shell, out) = try unstartedShell()
        XCTAssertEqual(shell.status("help pingall"), 0)
        XCTAssertEqual(out.output, "pingall [TIMEOUT]: ping between all hosts (wait up to TIMEOUT s, default 3)\n")
        out.clear()
        XCTAssertEqual(shell.status("help quit"), 0)
        XCTAssertEqual(out.output, "quit: same as exit\n")
        out.clear()
        // An alias is not documented, and neither is a node.
        XCTAssertEqual(shell.status("help EOF"), 1)
        XCTAssertEqual(out.errors, "*** No help for 'EOF': not a command\n")
        out.clear()
        XCTAssertEqual(shell.status("help h1"), 1)
        XCTAssertEqual(out.errors, "*** No help for 'h1': not a command\n")
        XCTAssertEqual(out.output, "")
    }

    func testUnknownVerb() throws {
        let (shell, out) = try unstartedShell()
        XCTAssertEqual(shell.status("bogus command"), 1)
        XCTAssertEqual(out.errors, "*** Unknown command: bogus command (type help for the list)\n")
        XCTAssertEqual(out.output, "")
        // The next command's status is its own.
        XCTAssertEqual(shell.status("nodes"), 0)
    }

    func testUsageErrors() throws {
        let (shell, out) = try unstartedShell()
        let cases: [(String, String)] = [
            ("h1", "*** Enter a command for node: h1 <cmd>"),
            ("noecho h1", "usage: noecho NODE CMD"),
            ("noecho", "usage: noecho NODE CMD"),
            ("link s1", "usage: link A B up|down, or link A B bw=5 [delay=5ms loss=1 ...]"),
            ("link s1 s2 sideways", "usage: link A B up|down, or link A B bw=5 [delay=5ms loss=1 ...]"),
            ("route", "usage: route NODE [DESTINATION]"),
            ("route h1 a b", "usage: route NODE [DESTINATION]"),
            ("route s1", "*** route: 's1' is not a host or router (switches do not route)"),
            ("path h1", "usage: path SOURCE DESTINATION"),
            ("path s1 h2", "*** path: 's1' is not a host or router"),
            ("dpctl", "usage: dpctl dump-flows|dump-ports|dump-dp-flows [SWITCH]"),
            ("dpctl dump-everything", "usage: dpctl dump-flows|dump-ports|dump-dp-flows [SWITCH]"),
            ("dpctl dump-flows", "*** dpctl: no user switches (the switches are Linux bridges; use --switch user)"),
            ("switch s1", "usage: switch SWITCH start|stop"),
            ("sh", "usage: sh CMD"),
            ("source", "usage: source FILE"),
            ("source /nonexistent/commands", "*** source: cannot read /nonexistent/commands"),
            ("iperfudp", "usage: iperfudp BW [HOST1 HOST2]   (e.g. iperfudp 10M h1 h2)"),
            ("iperf h1", "usage: iperf [HOST1 HOST2], with two host names"),
            ("iperf h1 s1", "usage: iperf [HOST1 HOST2], with two host names"),
            ("iperfudp 10M h1", "usage: iperfudp BW [HOST1 HOST2], with two host names"),
            ("pingall soon", "pingall: timeout must be whole seconds, e.g. pingall 2"),
        ]
        for (line, message) in cases {
            out.clear()
            XCTAssertEqual(shell.status(line), 1, line)
            XCTAssertEqual(out.errors, message + "\n", line)
            XCTAssertEqual(out.output, "", line)
        }
    }

    func testExitQuitAndEOFEndTheShell() throws {
        let (shell, out) = try unstartedShell()
        for word in ["exit", "quit", "EOF"] {
            XCTAssertFalse(shell.execute(word), word)
            XCTAssertEqual(shell.lastStatus, 0)
        }
        XCTAssertTrue(shell.execute("nodes"))
        XCTAssertTrue(shell.execute("   "), "an empty line is nothing")
        XCTAssertEqual(out.errors, "")
    }

    /// What Mininet prints for linear,2, from the topology alone.
    func testTopologyVerbs() throws {
        let (shell, out) = try unstartedShell()
        let expected: [(String, String)] = [
            ("nodes", "available nodes are: \nh1 h2 s1 s2\n"),
            ("net", "h1 h1-eth0:s1-eth1\nh2 h2-eth0:s2-eth1\ns1 lo:  s1-eth1:h1-eth0 s1-eth2:s2-eth2\ns2 lo:  s2-eth1:h2-eth0 s2-eth2:s1-eth2\n"),
            // Not started: no node has a shell, so no pid (Mininet's None).
            ("dump", "<Host h1: h1-eth0:10.0.0.1 pid=None>\n<Host h2: h2-eth0:10.0.0.2 pid=None>\n<LinuxBridge s1: lo:127.0.0.1,s1-eth1:None,s1-eth2:None pid=None>\n<LinuxBridge s2: lo:127.0.0.1,s2-eth1:None,s2-eth2:None pid=None>\n"),
            ("intfs", "h1: h1-eth0\nh2: h2-eth0\ns1: lo,s1-eth1,s1-eth2\ns2: lo,s2-eth1,s2-eth2\n"),
            ("ports", "s1 lo:0 s1-eth1:1 s1-eth2:2\ns2 lo:0 s2-eth1:1 s2-eth2:2\n"),
            ("jobs", "no background jobs\n"),
        ]
        for (line, text) in expected {
            out.clear()
            XCTAssertEqual(shell.status(line), 0, line)
            XCTAssertEqual(out.output, text, line)
            XCTAssertEqual(out.errors, "", line)
        }
    }

    /// `run` completes the verbs and the node names, runs lines until exit, and returns
    /// the last status.
    func testRunCompletesVerbsAndNodesAndStopsAtExit() throws {
        let (shell, out) = try unstartedShell()
        let lines = Lines(["nodes", "", "# a comment", "  bogus  ", "exit", "nodes"])
        XCTAssertEqual(shell.run(lines, prompt: nil), 0)
        XCTAssertEqual(lines.completions, ShellVerbs.standard.all.map(\.name) + ["h1", "h2", "s1", "s2"])
        XCTAssertFalse(lines.completions.contains("EOF"))
        XCTAssertEqual(lines.remembered, ["nodes", "bogus", "exit"])
        XCTAssertEqual(lines.lines, ["nodes"], "nothing after exit runs")
        XCTAssertTrue(lines.closed)
        XCTAssertEqual(out.output.components(separatedBy: "available nodes are").count, 2)
        XCTAssertEqual(out.errors, "*** Unknown command: bogus (type help for the list)\n")

        let failing = Lines(["nodes", "bogus"])
        XCTAssertEqual(shell.run(failing, prompt: nil), 1, "a script's status is its last command's")
    }

    /// A verb is one type and one line in the registry: help, completion and dispatch follow.
    func testAnAddedVerbIsListedCompletedAndRun() throws {
        struct Greet: ShellVerb {
            let name = "greet"
            let aliases = ["hello"]
            let help = "greet NAME: say hello"
            let usage = "greet NAME"
            func completions(in context: ShellContext) -> [String] { ["world"] }
            func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
                guard let who = arguments.words.first else { return context.usageError(self) }
                context.say("hello, \(who) of \(context.net.topology.nodeNames.count) nodes")
                return 7
            }
        }
        let verbs = ShellVerbs(ShellVerbs.standard.all + [Greet()])
        let (shell, out) = try unstartedShell(verbs: verbs)
        XCTAssertEqual(shell.status("greet world"), 7)
        XCTAssertEqual(out.output, "hello, world of 4 nodes\n")
        out.clear()
        XCTAssertEqual(shell.status("hello"), 1)
        XCTAssertEqual(out.errors, "usage: greet NAME\n")
        out.clear()
        shell.execute("help")
        XCTAssertTrue(out.output.contains("  quit: same as exit\n  greet NAME: say hello\n\n"), out.output)
        let lines = Lines([])
        shell.run(lines, prompt: nil)
        XCTAssertTrue(lines.completions.contains("greet") && lines.completions.contains("world"), lines.completions.description)
        XCTAssertFalse(lines.completions.contains("hello"))
    }

    func testArgumentsSplit() throws {
        let a = try XCTUnwrap(VerbArguments("h1  ping -c1   h2 "))
        XCTAssertEqual(a.verb, "h1")
        XCTAssertEqual(a.words, ["ping", "-c1", "h2"])
        XCTAssertEqual(a.text, "ping -c1   h2")
        XCTAssertNil(VerbArguments(" \t "))
        XCTAssertEqual(VerbArguments("nodes")?.text, "")
    }

    /// `sh` runs outside the network: its output and errors reach the shell's output.
    func testShWritesToTheShellsOutput() throws {
        let (shell, out) = try unstartedShell()
        XCTAssertEqual(shell.status("sh echo to-out; echo to-err >&2"), 0)
        XCTAssertEqual(out.output, "to-out\n")
        XCTAssertEqual(out.errors, "to-err\n")
        out.clear()
        XCTAssertEqual(shell.status("sh printf 'no newline'; exit 3"), 3)
        XCTAssertEqual(out.output, "no newline")
        let fds = openDescriptors()
        for _ in 0..<5 { shell.execute("sh echo again") }
        XCTAssertEqual(openDescriptors(), fds, "the pipes are closed")
    }

    func testTimeKeepsTheStatusOfWhatItTimed() throws {
        let (shell, out) = try unstartedShell()
        XCTAssertEqual(shell.status("time bogus"), 1)
        XCTAssertEqual(out.errors, "*** Unknown command: bogus (type help for the list)\n")
        XCTAssertNotNil(out.output.range(of: #"^\*\*\* Elapsed time: \d+\.\d{6} secs\n$"#, options: .regularExpression), out.output)
        out.clear()
        XCTAssertEqual(shell.status("time sh true"), 0)
        XCTAssertTrue(out.output.hasPrefix("*** Elapsed time: "), out.output)
        XCTAssertTrue(shell.execute("time exit"), "time exit does not end the shell")
    }

    /// `source` runs a file's commands; exit in it ends the file, not the shell.
    func testSourceRunsAFileUntilExit() throws {
        let (shell, out) = try unstartedShell()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sn-verbs-\(getpid())-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "# comment\nnodes\n\nbogus\nexit\nports\n".write(toFile: file, atomically: false, encoding: .utf8)
        XCTAssertEqual(shell.status("source \(file)"), 0, "exit's status, the last command's")
        XCTAssertEqual(out.output, "available nodes are: \nh1 h2 s1 s2\n")
        XCTAssertEqual(out.errors, "*** Unknown command: bogus (type help for the list)\n")
        try "nodes\nbogus\n".write(toFile: file, atomically: false, encoding: .utf8)
        XCTAssertEqual(shell.status("source \(file)"), 1)
        // A file that sources itself stops at a depth of ten.
        out.clear()
        try "source \(file)\n".write(toFile: file, atomically: false, encoding: .utf8)
        XCTAssertEqual(shell.status("source \(file)"), 1)
        XCTAssertEqual(out.errors, "*** source: nested too deeply\n")
    }
}
