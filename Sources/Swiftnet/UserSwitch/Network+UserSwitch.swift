import Glibc
import Namespaces

extension Network {
    /// Starts the userspace datapath for every `kind: user` switch: its ports, in port
    /// order, with each link's shaping on both directions.
    func startDatapath(fabric: Int32) throws {
        let user = topology.switches.filter { $0.kind == .user }
        let switchIndex = Dictionary(uniqueKeysWithValues: user.enumerated().map { ($1.name, $0) })
        var ports: [UserDatapath.Port] = []
        for l in topology.links {
            for (e, other) in [(l.a, l.b), (l.b, l.a)] {
                guard e.kind == .switch, let sw = switchIndex[e.node] else { continue }
                var p = UserDatapath.Port(switchIndex: sw, number: e.port, name: e.interface)
                p.egress = Impairment(l.shaping)
                // A host's end has no shaping of its own here: the switch applies the
                // host's egress as this port's ingress.
                if other.kind != .switch || switchIndex[other.node] == nil { p.ingress = Impairment(l.shaping) }
                ports.append(p)
            }
        }
        ports.sort { ($0.switchIndex, $0.number) < ($1.switchIndex, $1.number) }
        let dp = UserDatapath(switches: user.count, ports: ports)
        try dp.start(fabric: fabric) { self.indexes[$0] }
        datapath = dp
    }
}
