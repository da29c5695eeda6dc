import Foundation
import Swiftnet

/// One command of the `swiftnet>` shell. Each lives in a file of its own under `Verbs/`
/// and has a line in `ShellVerbs.standard`; help, completion and dispatch come from there.
public protocol ShellVerb: Sendable {
    /// The name help lists and completion offers.
    var name: String { get }
    /// Other names it answers to, neither listed nor completed.
    var aliases: [String] { get }
    /// Its line in `help`: "nodes: list the nodes".
    var help: String { get }
    /// How it is called, as its usage error says after "usage: ".
    var usage: String { get }
    /// Words that completion offers for its arguments.
    func completions(in context: ShellContext) -> [String]
    /// Runs it; what it prints goes to `context.output`.
    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus
}

extension ShellVerb {
    public var aliases: [String] { [] }
    public var usage: String { name }
    public func completions(in context: ShellContext) -> [String] { [] }
}

/// A command line, split as the verbs read it.
public struct VerbArguments: Sendable, Equatable {
    /// The whole line.
    public let line: String
    /// Its first word: the verb (or node) as typed.
    public let verb: String
    /// The words after the first.
    public let words: [String]
    /// The text after the first word, spaces included, without the spaces around it.
    public let text: String

    /// Nil for a line without words.
    public init?(_ line: String) {
        let all = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = all.first else { return nil }
        self.line = line
        verb = first
        words = Array(all.dropFirst())
        text = line.drop { $0.isWhitespace }.drop { !$0.isWhitespace }.trimmingCharacters(in: .whitespaces)
    }
}

/// How a verb ended: the status the shell reports (a script's exit status is its last
/// command's), and whether the shell ends.
public struct VerbStatus: Sendable, Equatable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var code: Int32
    public var endsShell: Bool

    public init(_ code: Int32, endsShell: Bool = false) {
        self.code = code
        self.endsShell = endsShell
    }

    public init(integerLiteral code: Int32) { self.init(code) }

    public static let success: VerbStatus = 0
    public static let failure: VerbStatus = 1
    /// Ctrl-C stopped it.
    public static let interrupted: VerbStatus = 130
    /// `exit`: the shell ends.
    public static let exit = VerbStatus(0, endsShell: true)

    public var description: String { endsShell ? "exit(\(code))" : "\(code)" }
}

/// What a verb runs with: the shell (its network, jobs and Ctrl-C), and where to write.
public struct ShellContext {
    public let shell: Shell

    public var net: Network { shell.net }
    public var output: any ShellOutput { shell.output }
    public var verbs: ShellVerbs { shell.verbs }

    /// Writes a line of output.
    public func say(_ text: String) { output.say(text) }

    /// Writes an error line; the status to return for it.
    @discardableResult
    public func fail(_ message: String) -> VerbStatus {
        output.complain(message)
        return .failure
    }

    /// "usage: …" for `verb`, as an error.
    @discardableResult
    public func usageError(_ verb: any ShellVerb, _ more: String = "") -> VerbStatus {
        fail("usage: " + verb.usage + more)
    }

    /// Runs another command line (for `time` and `source`).
    public func execute(_ line: String) -> VerbStatus { shell.dispatch(line) }

    /// A check for long verbs: true once Ctrl-C has been pressed since this call.
    public func interruptCheck() -> @Sendable () -> Bool { shell.interruptCheck() }
    /// True once Ctrl-C has been pressed `presses` times since this call.
    public func interruptCheck(presses: Int) -> @Sendable () -> Bool { shell.interruptCheck(presses: presses) }
}
