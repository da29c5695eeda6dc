import CLineEdit
import Foundation
import Glibc

/// Where the shell's commands come from.
public protocol LineSource: AnyObject {
    /// The next line without its newline, or nil at end of input.
    func readLine(prompt: String) -> String?
    /// Node names and commands for completion (terminals only).
    func setCompletions(_ words: [String])
    /// Remembers a line (terminals only).
    func remember(_ line: String)
    /// Saves what should outlive the session (history).
    func close()
}

/// An interactive terminal: libedit line editing, history in ~/.swiftnet_history, and
/// tab completion of commands and node names.
public final class TerminalLineSource: LineSource {
    let historyPath: String

    public init(historyPath: String = (ProcessInfo.processInfo.environment["HOME"] ?? "/root") + "/.swiftnet_history") {
        self.historyPath = historyPath
        sn_le_init("swiftnet")
        sn_le_read_history(historyPath)
    }

    public func readLine(prompt: String) -> String? {
        guard let p = sn_le_readline(prompt) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    public func setCompletions(_ words: [String]) {
        let c = words.map { strdup($0) }
        defer { c.forEach { free($0) } }
        c.map { UnsafePointer($0) }.withUnsafeBufferPointer { sn_le_set_words($0.baseAddress, Int32(words.count)) }
    }

    public func remember(_ line: String) { sn_le_add_history(line) }
    public func close() { sn_le_write_history(historyPath) }
}

/// Lines from a pipe or file, without prompts: a script.
public final class ScriptLineSource: LineSource {
    let handle: UnsafeMutablePointer<FILE>
    let owned: Bool

    /// Reads standard input, or the file at `path`.
    public init?(path: String? = nil) {
        if let path {
            guard let f = fopen(path, "r") else { return nil }
            handle = f
            owned = true
        } else {
            guard let f = fdopen(0, "r") else { return nil }
            handle = f
            owned = false
        }
    }

    public func readLine(prompt: String) -> String? {
        var line: UnsafeMutablePointer<CChar>?
        var cap = 0
        let n = getline(&line, &cap, handle)
        defer { free(line) }
        guard n >= 0, let line else { return nil }
        var s = String(cString: line)
        while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
        return s
    }

    public func setCompletions(_ words: [String]) {}
    public func remember(_ line: String) {}
    public func close() { if owned { fclose(handle) } }
}
