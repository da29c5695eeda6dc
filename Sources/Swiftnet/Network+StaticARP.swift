import Foundation
import Netlink

/// `--arp` (Mininet's `autoStaticArp`): every end host knows every other end host's MAC
/// address from the start, so no ARP request is ever needed between them.
extension Network {
    /// Adds, in each end host, a permanent neighbour entry for every other end host's
    /// address (its first interface's) on the host's own first interface, as Mininet's
    /// `staticArp` does for every pair. Called by the build once every link exists.
    /// Equivalent to: `ip -n A neigh replace IP_B lladdr MAC_B dev A-eth0 nud permanent`
    /// for every pair A, B.
    func installStaticARP(hostSockets: HostSockets) throws {
        let hosts = topology.endHosts.filter { !$0.interfaces.isEmpty }
        // The MACs as the kernel gave them (or --mac did), one dump per host.
        var macs: [String: String] = [:]
        for h in hosts {
            guard let intf = h.interfaces.first else { continue }
            macs[h.name] = try hostSockets.socket(of: h.name).links().first { $0.name == intf }?.mac
        }
        for (i, src) in hosts.enumerated() {
            if i % 64 == 0 { try checkInterrupted() }
            guard let intf = src.interfaces.first, let index = interfaceIndex(intf) else { continue }
            let s = try hostSockets.socket(of: src.name)
            for dst in hosts where dst.name != src.name {
                guard let mac = macs[dst.name] else { continue }
                do {
                    try s.addPermanentNeighbour(index: index, address: dst.ip.address.description, mac: mac, interfaceName: intf)
                } catch {
                    throw NetworkError("\(src.name): cannot add the static ARP entry for \(dst.name) (\(dst.ip.address) at \(mac)): \(error)")
                }
            }
        }
    }
}
