import Foundation
import Swiftnet

/// `source FILE`: runs the file's lines as commands; Ctrl-C stops the rest of the file.
struct SourceVerb: ShellVerb {
    let name = "source"
    let help = "source FILE: read commands from FILE"
    let usage = "source FILE"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        // The rest of the line, so that a path may hold spaces.
        guard !arguments.text.isEmpty else { return context.usageError(self) }
        let path = arguments.text
        let shell = context.shell
        guard shell.sourceDepth < 10 else { return context.fail("*** source: nested too deeply") }
        guard let src = ScriptLineSource(path: path) else { return context.fail("*** source: cannot read \(path)") }
        shell.sourceDepth += 1
        defer { shell.sourceDepth -= 1; src.close() }
        // Ctrl-C stops the command that runs and the rest of the file.
        let interrupted = context.interruptCheck()
        var status = VerbStatus.success
        while !interrupted(), let line = src.readLine(prompt: "") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { continue }
            let s = context.execute(t)
            // `exit` in the file ends the file, not the shell.
            status = VerbStatus(s.code)
            if s.endsShell { break }
        }
        return status
    }
}
