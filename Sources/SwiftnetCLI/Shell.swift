import Foundation
import Glibc
import Swiftnet

/// The `swiftnet>` shell: Mininet's CLI commands over a running network.
///
/// Each command is a `ShellVerb` (see `ShellVerbs.standard`); a line starting with a node
/// name goes to the `NodeCommand`. Everything is written to `output`: the terminal in
/// the real shell, a buffer in tests.
/// Ctrl-C stops the foreground command, never the network.
public final class Shell: @unchecked Sendable {
    public let net: Network
    public let output: any ShellOutput
    public let verbs: ShellVerbs
    let lock = NSLock()
    /// The process group of the foreground command, while one runs.
    var foreground: pid_t?
    var interruptsSinceForeground = 0
    /// Ctrl-Cs so far: a built-in command (pingall, iperf, source) stops when it changes.
    var interrupts = 0
    /// The node whose persistent shell runs the foreground command, while one does.
    var foregroundNode: String?
    /// Exit status of the last command (the shell's status when reading a script).
    public internal(set) var lastStatus: Int32 = 0
    var sourceDepth = 0
    /// Where `py` and `px` evaluate Python; nil when there is no Python layer.
    public var python: (any PythonEvaluator)?

    public init(network: Network, output: any ShellOutput = StandardShellOutput(), verbs: ShellVerbs = .standard) {
        self.net = network
        self.output = output
        self.verbs = verbs
    }

    /// What the verbs run with.
    public var context: ShellContext { ShellContext(shell: self) }

    /// Reads and runs commands until `exit`, `quit` or end of input.
    /// - Returns: the status of the last command (for scripts).
    @discardableResult
    public func run(_ source: LineSource, prompt: String?) -> Int32 {
        source.setCompletions(verbs.completions(in: context))
        while let line = source.readLine(prompt: prompt ?? "") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            source.remember(trimmed)
            if !execute(trimmed) { break }
        }
        if prompt != nil && isatty(0) == 1 { output.write("\n") }
        source.close()
        return lastStatus
    }

    /// Runs one command line and keeps its status in `lastStatus`.
    /// Returns false when the shell should end.
    @discardableResult
    public func execute(_ line: String) -> Bool {
        guard VerbArguments(line) != nil else { return true }
        let status = dispatch(line)
        lastStatus = status.code
        return !status.endsShell
    }

    /// Runs one command line: the verb it names, else the node command, else an error.
    public func dispatch(_ line: String) -> VerbStatus {
        guard let arguments = VerbArguments(line) else { return .success }
        let context = self.context
        if let verb = verbs.verb(arguments.verb) {
            return verb.run(arguments, in: context)
        }
        if verbs.nodeCommand.handles(arguments.verb, in: context) {
            return verbs.nodeCommand.run(arguments, in: context)
        }
        return context.fail("*** Unknown command: \(line) (type help for the list)")
    }
}
