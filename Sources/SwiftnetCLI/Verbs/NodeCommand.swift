import Foundation
import Glibc
import Swiftnet

/// A line that starts with a node name: `h1 ping -c1 h2`, `h1 cd /tmp`, `h1 iperf3 -s &`.
///
/// The command runs in the node's persistent bash (the one `net["h1"].shell(...)` and the
/// control API use), with words that name hosts replaced by their IP addresses, as
/// Mininet does: `h1 cd /tmp` then `h1 pwd` prints /tmp, variables stay, and a trailing
/// `&` makes a job of that shell (`h1 jobs`, `h1 kill %python`). On a terminal, what is
/// typed goes to the command (Ctrl-D ends its input) and Ctrl-C interrupts it; the
/// output of the node's background jobs shows up with its next command's, as in Mininet.
/// `noecho NODE CMD` comes here too: every command in a node goes through
/// `run(node:command:in:)`.
public struct NodeCommand: Sendable {
    public init() {}

    /// The lines after `help`'s list.
    public var help: String {
        "Any other line starting with a node name runs in that node's shell: h1 ping -c1 h2"
            + "\n(node names become their IP addresses; cd, variables and & jobs stay, as in Mininet)."
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

    /// Runs a command line in the node's persistent shell; its output is written as it
    /// comes. A trailing `&` starts a job of that shell and prints `[job] pid`.
    public func run(node: String, command: String, in context: ShellContext) -> VerbStatus {
        let net = context.net
        let shell = context.shell
        var cmd = substituteNodeNames(command, in: net).trimmingCharacters(in: .whitespaces)
        let background = cmd.hasSuffix("&") && !cmd.hasSuffix("&&")
        if background {
            // As an interactive shell says it: the job's number and pid.
            cmd += #" __sn_j=$(jobs %%); __sn_j=${__sn_j#[}; echo "[${__sn_j%%]*}] $!""#
        }
        let tty = background ? nil : context.output.terminal
        let direct = context.output.programDescriptors?.output
        let output = context.output
        let stopped = context.interruptCheck(presses: 2)
        shell.setForegroundNode(node)
        defer { shell.setForegroundNode(nil) }
        do {
            let r = try net.runInShell(of: node, cmd, isCancelled: stopped, input: tty, windowSizeFrom: tty) { bytes in
                if let direct {
                    _ = bytes.withUnsafeBytes { write(direct, $0.baseAddress, $0.count) }
                } else {
                    output.write(String(decoding: bytes, as: UTF8.self))
                }
            }
            if r.shellExited {
                context.say("*** \(node): its shell exited; the next command gets a new one")
            }
            return VerbStatus(r.status)
        } catch let e as NetworkError where e.isInterrupted {
            return VerbStatus(130)
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
