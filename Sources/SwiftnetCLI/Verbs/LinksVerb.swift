import Swiftnet

/// `links`: `h1-eth0<->s1-eth1 (OK OK)`, OK when the interface is up with a carrier,
/// from the kernel's view of the interfaces.
struct LinksVerb: ShellVerb {
    let name = "links"
    let help = "links: list the links and their state"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let net = context.net
        var state: [String: String] = [:]
        for n in net.topology.nodeNames {
            for l in (try? net.interfaceList(of: n)) ?? [] {
                state[l.name] = l.isUp && l.hasCarrier ? "OK" : (l.isUp ? "NO-CARRIER" : "DOWN")
            }
        }
        context.say(net.topology.links.map { l in
            "\(l.a.interface)<->\(l.b.interface) (\(state[l.a.interface] ?? "MISSING") \(state[l.b.interface] ?? "MISSING"))"
        }.joined(separator: "\n"))
        return .success
    }
}
