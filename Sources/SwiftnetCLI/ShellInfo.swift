import Netlink
import Swiftnet

/// The informational commands: what Mininet's `net`, `dump`, `links`, `intfs` and
/// `ports` print, from the topology and the kernel's view of the interfaces.
extension Shell {
    /// Each interface's peer on the other end of its link.
    var peers: [String: String] {
        var out: [String: String] = [:]
        for l in net.topology.links {
            out[l.a.interface] = l.b.interface
            out[l.b.interface] = l.a.interface
        }
        return out
    }

    func interfaces(of node: String) -> [String] {
        if let h = net.topology.host(node) { return h.interfaces }
        return net.topology.switches.first { $0.name == node }?.interfaces ?? []
    }

    func netText() -> String {
        let p = peers
        return net.topology.nodeNames.map { n in
            let lo = net.topology.kind(of: n) == .switch ? " lo: " : ""
            return n + lo + interfaces(of: n).map { " \($0):\(p[$0] ?? "")" }.joined()
        }.joined(separator: "\n")
    }

    func dumpText() -> String {
        let hosts = net.topology.hosts.map { h in
            "<Host \(h.name): " + h.interfaces.enumerated().map { i, intf in
                "\(intf):\(i == 0 ? h.ip.address.description : "None")"
            }.joined(separator: ",") + ">"
        }
        let switches = net.topology.switches.map { s in
            "<LinuxBridge \(s.name): " + s.interfaces.map { "\($0):None" }.joined(separator: ",") + (s.stp ? " stp" : "") + ">"
        }
        return (hosts + switches).joined(separator: "\n")
    }

    /// `h1-eth0<->s1-eth1 (OK OK)`: OK when the interface is up with a carrier.
    func linksText() -> String {
        var state: [String: String] = [:]
        for n in net.topology.nodeNames {
            for l in (try? net.interfaces(of: n)) ?? [] {
                state[l.name] = l.isUp && l.hasCarrier ? "OK" : (l.isUp ? "NO-CARRIER" : "DOWN")
            }
        }
        return net.topology.links.map { l in
            "\(l.a.interface)<->\(l.b.interface) (\(state[l.a.interface] ?? "MISSING") \(state[l.b.interface] ?? "MISSING"))"
        }.joined(separator: "\n")
    }

    func intfsText() -> String {
        net.topology.nodeNames.map { n in
            let lo = net.topology.kind(of: n) == .switch ? ["lo"] : []
            return "\(n): " + (lo + interfaces(of: n)).joined(separator: ",")
        }.joined(separator: "\n")
    }

    func portsText() -> String {
        net.topology.switches.map { s in
            s.name + " lo:0" + s.interfaces.map { intf in
                " \(intf):" + (intf.split(separator: "-").last.map { String($0.dropFirst(3)) } ?? "?")
            }.joined()
        }.joined(separator: "\n")
    }
}
