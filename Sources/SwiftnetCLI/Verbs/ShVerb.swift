import Foundation
import Swiftnet

/// `sh CMD`: a command in the machine's own shell, outside the emulated network.
struct ShVerb: ShellVerb {
    let name = "sh"
    let help = "sh CMD: run CMD in the machine's own shell (outside the network)"
    let usage = "sh CMD"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        guard !arguments.text.isEmpty else { return context.usageError(self) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", arguments.text]
        do {
            let streams = try ProgramStreams(for: context.output)
            if context.output.programDescriptors == nil {
                p.standardOutput = FileHandle(fileDescriptor: streams.output, closeOnDealloc: false)
                p.standardError = FileHandle(fileDescriptor: streams.error, closeOnDealloc: false)
            }
            do {
                try p.run()
            } catch {
                streams.finished()
                throw error
            }
            streams.started()
            context.shell.setForeground(p.processIdentifier)
            p.waitUntilExit()
            context.shell.setForeground(nil)
            streams.finished()
            return VerbStatus(p.terminationStatus)
        } catch {
            return context.fail("*** sh: \(error)")
        }
    }
}
