import ArgumentParser
import Foundation
import Swiftnet

/// `swiftnet`: a Mininet-style network emulator. Exit status: 0 ok, 1 a test failed,
/// 2 bad input or missing privileges.
@main
struct Root: ParsableCommand {
    /// Computed, not stored: the command name is the one swiftnet was started under
    /// (`mn` through a symlink, see `Invocation`).
    static var configuration: CommandConfiguration {
        let me = Invocation.commandName
        return CommandConfiguration(
            commandName: me,
            abstract: "Emulate networks of hosts and switches with Linux namespaces.",
            discussion: """
                Examples:
                  sudo \(me) --topo linear,3 --test pingall
                  sudo \(me) --topo tree,depth=2,fanout=3 --test pingall
                  sudo \(me) run Topologies/two-subnets.yaml
                  sudo \(me) run Topologies/fattree.swift -- --k 4
                  sudo \(me) --custom Topologies/fattree.swift --topo fattree,4 --test pingall
                  \(me) doctor
                  sudo \(me) ls;  sudo \(me) exec NAME h1 -- ping -c1 h2;  sudo \(me) stop NAME
                  sudo \(me) -c    (or: \(me) clean)
                """,
            subcommands: [Start.self, Run.self, Test.self, Validate.self, Clean.self, Doctor.self,
                          Ls.self, Exec.self, Inspect.self, LinkCommand.self, StopCommand.self,
                          PythonCommand.self, PythonPath.self, Engine.self, ControllerCommand.self],
            defaultSubcommand: Start.self)
    }

    /// Maps errors to the documented exit codes: usage and topology errors give 2.
    static func main() {
        // `swiftnet run FILE.swift [--] ARGS`, also from a script's shebang line: the
        // script's arguments are its own, not options of swiftnet.
        let argv = CommandLine.arguments
        // An unprivileged user's network goes in namespaces of its own (see `Rootless`).
        Rootless.superviseIfWanted(argv)
        if Rootless.inside { Rootless.prepareInside() }
        if argv.count >= 3 && argv[1] == "run" && argv[2].hasSuffix(".swift") {
            var rest = Array(argv.dropFirst(3))
            if rest.first == "--" { rest.removeFirst() }
            ScriptRunner.run(argv[2], arguments: rest)
        }
        // `mn -h` as Mininet prints it: "Usage: mn [options]" and the options of the
        // default command (what Mininet's walkthrough and its tests look for).
        if Invocation.isMininet && argv.count == 2 && (argv[1] == "-h" || argv[1] == "--help") {
            let text = Root.helpMessage(for: Start.self)
                .replacingOccurrences(of: "USAGE: mn start", with: "Usage: mn")
                .replacingOccurrences(of: "USAGE:", with: "Usage:")
            print(text)
            Foundation.exit(0)
        }
        // `swiftnet python SCRIPT.py ARGS`: everything after `python` is Python's.
        if argv.count >= 2 && argv[1] == "python" {
            PythonLayer.exec(Array(argv.dropFirst(2)))
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data(("swiftnet: " + fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .failure ? 1 : 2)
        }
    }
}

/// Exits with status 2 after printing one message to standard error.
func badInput(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data(("swiftnet: " + message + "\n").utf8))
    return ExitCode(2)
}
