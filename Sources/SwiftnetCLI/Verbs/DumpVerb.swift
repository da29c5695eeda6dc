import Swiftnet

/// `dump`: a line per node, as Mininet's `<Host h1: h1-eth0:10.0.0.1>`.
struct DumpVerb: ShellVerb {
    let name = "dump"
    let help = "dump: describe every node"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let topology = context.net.topology
        let hosts = topology.hosts.map { h in
            "<Host \(h.name): " + h.interfaces.enumerated().map { i, intf in
                "\(intf):\(i == 0 ? h.ip.address.description : "None")"
            }.joined(separator: ",") + ">"
        }
        let switches = topology.switches.map { s in
            "<LinuxBridge \(s.name): " + s.interfaces.map { "\($0):None" }.joined(separator: ",") + (s.stp ? " stp" : "") + ">"
        }
        context.say((hosts + switches).joined(separator: "\n"))
        return .success
    }
}
