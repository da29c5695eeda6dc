import Swiftnet

/// `intfs`: `s1: lo,s1-eth1,s1-eth2`, a line per node.
struct IntfsVerb: ShellVerb {
    let name = "intfs"
    let help = "intfs: list the interfaces of every node"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let topology = context.net.topology
        context.say(topology.nodeNames.map { n in
            let lo = topology.kind(of: n) == .switch ? ["lo"] : []
            return "\(n): " + (lo + context.interfaces(of: n)).joined(separator: ",")
        }.joined(separator: "\n"))
        return .success
    }
}
