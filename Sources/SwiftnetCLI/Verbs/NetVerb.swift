import Swiftnet

/// `net`: each node with its interfaces and what they link to, as Mininet prints it.
struct NetVerb: ShellVerb {
    let name = "net"
    let help = "net: list the nodes with their links"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let topology = context.net.topology
        var peers: [String: String] = [:]
        for l in topology.links {
            peers[l.a.interface] = l.b.interface
            peers[l.b.interface] = l.a.interface
        }
        context.say(topology.nodeNames.map { n in
            let lo = topology.kind(of: n) == .switch ? " lo: " : ""
            return n + lo + context.interfaces(of: n).map { " \($0):\(peers[$0] ?? "")" }.joined()
        }.joined(separator: "\n"))
        return .success
    }
}

extension ShellContext {
    /// The interfaces of a host or switch, in the topology's order.
    func interfaces(of node: String) -> [String] {
        if let h = net.topology.host(node) { return h.interfaces }
        return net.topology.switches.first { $0.name == node }?.interfaces ?? []
    }
}
