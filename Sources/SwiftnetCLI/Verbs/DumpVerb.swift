import Swiftnet

/// `dump`: a line per node in Mininet's `repr(node)` form, with the pid of the node's
/// persistent shell (started for the occasion when the node has none yet):
/// `<Host h1: h1-eth0:10.0.0.1 pid=1234>`, `<LinuxBridge s1: lo:127.0.0.1,s1-eth1:None pid=1240>`.
struct DumpVerb: ShellVerb {
    let name = "dump"
    let help = "dump: describe every node"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let net = context.net
        let topology = net.topology
        func pid(_ node: String) -> String {
            (try? net.node(node).pid).map { "\($0)" } ?? "None"
        }
        let hosts = topology.hosts.map { h in
            let intfs = h.interfaces.enumerated().map { i, intf in
                let v4 = h.addresses[intf]?.lazy.compactMap(\.v4).first?.address ?? (i == 0 && !h.isRouter ? h.ip.address : nil)
                return "\(intf):" + (v4.map { "\($0)" } ?? "None")
            }
            return "<\(h.isRouter ? "LinuxRouter" : "Host") \(h.name): \(intfs.joined(separator: ",")) pid=\(pid(h.name))>"
        }
        let switches = topology.switches.map { s in
            let kind = s.kind == .user ? "UserSwitch" : "LinuxBridge"
            let intfs = ["lo:127.0.0.1"] + s.interfaces.map { "\($0):None" }
            return "<\(kind) \(s.name): \(intfs.joined(separator: ",")) pid=\(pid(s.name))>"
        }
        context.say((hosts + switches).joined(separator: "\n"))
        return .success
    }
}
