import Swiftnet

/// `pingpairfull`: pingpair with the round-trip times (Mininet's).
struct PingPairFullVerb: ShellVerb {
    let name = "pingpairfull"
    let help = "pingpairfull: ping between the first two hosts, with round-trip times"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        context.pingAll(timeout: 3, full: true, hosts: Array(context.net.topology.endHosts.prefix(2).map(\.name)))
    }
}
