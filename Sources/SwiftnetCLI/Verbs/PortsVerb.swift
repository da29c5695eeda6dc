import Swiftnet

/// `ports`: `s1 lo:0 s1-eth1:1 s1-eth2:2`, a line per switch.
struct PortsVerb: ShellVerb {
    let name = "ports"
    let help = "ports: list the ports of every switch"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        context.say(context.net.topology.switches.map { s in
            s.name + " lo:0" + s.interfaces.map { intf in
                " \(intf):" + (intf.split(separator: "-").last.map { String($0.dropFirst(3)) } ?? "?")
            }.joined()
        }.joined(separator: "\n"))
        return .success
    }
}
