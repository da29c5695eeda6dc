import Swiftnet

/// `iperfudp BW [HOST1 HOST2]`: UDP bandwidth at BW, as iperf.
struct IperfUDPVerb: ShellVerb {
    let name = "iperfudp"
    let help = "iperfudp BW [HOST1 HOST2]: measure UDP bandwidth at BW (e.g. 10M)"
    let usage = "iperfudp BW [HOST1 HOST2]"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        guard let bw = arguments.words.first else { return context.usageError(self, "   (e.g. iperfudp 10M h1 h2)") }
        return context.iperf(Array(arguments.words.dropFirst()), udpBandwidth: bw, verb: self)
    }
}
