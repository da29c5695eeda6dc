import Foundation
import Glibc
import Swiftnet

/// A line that starts with a node name: `h1 ping -c1 h2`, `h1 iperf3 -s &`.
///
/// The command runs inside the node through `sh -c`, with words that name hosts replaced
/// by their IP addresses, as Mininet does. A trailing `&` makes it a background job;
/// otherwise it gets the terminal (its input, and Ctrl-C) until it ends.
/// `noecho NODE CMD` comes here too: every command in a node goes through
/// `run(node:command:in:)`.
public struct NodeCommand: Sendable {
    public init() {}

    /// The lines after `help`'s list.
    public var help: String {
        "Any other line starting with a node name runs in that node: h1 ping -c1 h2"
            + "\n(node names become their IP addresses; a trailing & runs it in the background)."
    }

    /// True when `word` names a node of the network.
    public func handles(_ word: String, in context: ShellContext) -> Bool {
        context.net.topology.kind(of: word) != nil
    }

    /// Completion offers the node names.
    public func completions(in context: ShellContext) -> [String] {
        context.net.topology.nodeNames
    }

    /// `NODE CMD…`.
    public func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        guard !arguments.text.isEmpty else { return context.fail("*** Enter a command for node: \(arguments.verb) <cmd>") }
        return run(node: arguments.verb, command: arguments.text, in: context)
    }

    /// Runs a command line inside a node; a trailing `&` makes it a background job.
    /// Its output goes to the terminal directly, or is copied to an output that is not one.
    public func run(node: String, command: String, in context: ShellContext) -> VerbStatus {
        let net = context.net
        let shell = context.shell
        var cmd = substituteNodeNames(command, in: net).trimmingCharacters(in: .whitespaces)
        let background = cmd.hasSuffix("&") && !cmd.hasSuffix("&&")
        if background { cmd = String(cmd.dropLast()).trimmingCharacters(in: .whitespaces) }
        do {
            if background {
                let pid = try net.spawn(on: node, ["/bin/sh", "-c", cmd], stdout: -1, stderr: -1)
                let n = shell.addJob(pid: pid, command: "\(node) \(cmd)")
                context.say("[\(n)] \(pid)")
                return .success
            }
            // On a terminal the command gets it, as in any shell: it can read input, and
            // Ctrl-C reaches it directly.
            let tty = context.output.terminal
            let streams = try ProgramStreams(for: context.output)
            let pid: pid_t
            do {
                pid = try net.spawn(on: node, ["/bin/sh", "-c", cmd], stdin: tty ?? -1,
                                    stdout: streams.output, stderr: streams.error, terminal: tty)
            } catch {
                streams.finished()
                throw error
            }
            streams.started()
            let status = shell.waitForeground(pid)
            streams.finished()
            if let tty {
                signal(SIGTTOU, SIG_IGN)
                tcsetpgrp(tty, getpgrp())
            }
            return VerbStatus(status)
        } catch {
            return context.fail("*** \(node): \(error)")
        }
    }

    /// Replaces every word that names a host by the host's IP address, as Mininet does.
    public func substituteNodeNames(_ command: String, in net: Network) -> String {
        var out = ""
        var word = ""
        func flush() {
            if let h = net.topology.host(word) { out += h.ip.address.description } else { out += word }
            word = ""
        }
        for c in command {
            if c.isWhitespace { flush(); out.append(c) } else { word.append(c) }
        }
        flush()
        return out
    }
}
