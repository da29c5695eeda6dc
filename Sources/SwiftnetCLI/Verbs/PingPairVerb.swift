import Swiftnet

/// `pingpair`: pingall between the first two hosts only.
struct PingPairVerb: ShellVerb {
    let name = "pingpair"
    let help = "pingpair: ping between the first two hosts"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        context.pingAll(timeout: 3, hosts: Array(context.net.topology.endHosts.prefix(2).map(\.name)))
    }
}
