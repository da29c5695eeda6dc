import Swiftnet

/// `pingall [TIMEOUT]`: Mininet's table of pings between all hosts.
struct PingAllVerb: ShellVerb {
    let name = "pingall"
    let help = "pingall [TIMEOUT]: ping between all hosts (wait up to TIMEOUT s, default 3)"
    let usage = "pingall [TIMEOUT]"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        if let t = arguments.words.first, Int(t) == nil { return context.fail("pingall: timeout must be whole seconds, e.g. pingall 2") }
        return context.pingAll(timeout: arguments.words.first.flatMap { Int($0) } ?? 3)
    }
}

extension ShellContext {
    /// Mininet's pingall table, a line per source as it completes (with a progress line
    /// under them on a terminal); Ctrl-C stops it. Fails when a ping was lost.
    func pingAll(timeout: Int, full: Bool = false, hosts: [String]? = nil) -> VerbStatus {
        let output = self.output
        let progress = TerminalProgress(enabled: output.isTerminal, write: { output.write($0) })
        let result = printPingAll(net, hosts: hosts, timeout: timeout, full: full, progress: progress,
                                  isCancelled: interruptCheck()) { output.say($0) }
        if result.interrupted { return .interrupted }
        return result.allReceived ? .success : .failure
    }
}
