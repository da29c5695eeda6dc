import Swiftnet

/// `iperf [HOST1 HOST2]`: TCP bandwidth with iperf3, printed as Mininet's result lines.
struct IperfVerb: ShellVerb {
    let name = "iperf"
    let help = "iperf [HOST1 HOST2]: measure TCP bandwidth with iperf3 (default: first and last host)"
    let usage = "iperf [HOST1 HOST2]"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        context.iperf(arguments.words, udpBandwidth: nil, verb: self)
    }
}

extension ShellContext {
    /// Measures between `hosts` (none: the first and last host), TCP or UDP at a bandwidth.
    func iperf(_ hosts: [String], udpBandwidth bw: String?, verb: any ShellVerb) -> VerbStatus {
        let all = net.topology.endHosts.map(\.name)
        let pair: [String]
        if hosts.isEmpty {
            guard all.count >= 2 else { return fail("*** iperf needs two hosts") }
            pair = [all.first!, all.last!]
        } else {
            guard hosts.count == 2, hosts.allSatisfy({ net.topology.host($0) != nil }) else {
                return usageError(verb, ", with two host names")
            }
            pair = hosts
        }
        say("*** Iperf: testing \(bw == nil ? "TCP" : "UDP") bandwidth between \(pair[0]) and \(pair[1]) ")
        do {
            let r = try net.iperf(client: pair[0], server: pair[1], udpBandwidth: bw, isCancelled: interruptCheck())
            let parts = (bw.map { [$0] } ?? []) + [formatBitRate(r.serverBitsPerSecond), formatBitRate(r.clientBitsPerSecond)]
            say("*** Results: [" + parts.map { "'\($0)'" }.joined(separator: ", ") + "]")
            return .success
        } catch let e as NetworkError where e.isInterrupted {
            say("*** Interrupted")
            return .interrupted
        } catch {
            return fail("*** \(error)")
        }
    }
}
