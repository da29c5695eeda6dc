import Foundation
import Netlink
import Swiftnet

/// The shell's routing commands: `route NODE [DEST]` and `path SRC DST`.
extension Shell {
    /// `route r1` prints r1's routing table (IPv4 then IPv6, as `ip route` and
    /// `ip -6 route` would); `route r1 10.0.3.10` the kernel's lookup for that address.
    func route(_ args: [String]) {
        guard let node = args.first, args.count <= 2 else { _ = fail("usage: route NODE [DESTINATION]"); return }
        guard net.topology.host(node) != nil else {
            _ = fail("*** route: '\(node)' is not a host or router (switches do not route)")
            return
        }
        do {
            if args.count == 2 {
                let r = try net.routeLookup(on: node, to: args[1])
                var line = "\(r.destination)"
                switch r.type {
                case .unicast:
                    if let g = r.gateway { line += " via \(g)" }
                    line += " dev \(r.outputName ?? "?")"
                    if let s = r.preferredSource { line += " src \(s)" }
                case .local:
                    line = "local " + line + " dev lo"
                default:
                    line += ": \(r.type) (no route)"
                }
                say(line)
                return
            }
            let s = try net.routeSocket(for: node)
            let links = Dictionary(try s.links().map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
            let routes = try s.routes().filter { !$0.destination.hasPrefix("fe80:") && !$0.destination.hasPrefix("ff00:") }
            for r in routes.sorted(by: { ($0.destination.contains(":") ? 1 : 0, $0.destination) < ($1.destination.contains(":") ? 1 : 0, $1.destination) }) {
                var line = r.destination
                if let g = r.gateway { line += " via \(g)" }
                if let i = r.outputIndex { line += " dev \(links[i] ?? "if\(i)")" }
                say(line)
            }
        } catch {
            _ = fail("*** route: \(error)")
        }
    }

    /// `path h1 h3`: the forwarding path through the nodes' FIBs.
    func path(_ args: [String]) {
        guard args.count == 2 else { _ = fail("usage: path SOURCE DESTINATION"); return }
        guard net.topology.host(args[0]) != nil else {
            _ = fail("*** path: '\(args[0])' is not a host or router")
            return
        }
        do {
            let p = try net.forwardingPath(from: args[0], to: args[1])
            var line = p.nodes.joined(separator: " -> ")
            switch p.outcome {
            case .reached:
                if let last = p.nodes.last, last != args[1], net.topology.host(args[1]) != nil { line += " -> \(args[1])" }
            case .blackhole(let n, let why): line += "  (black hole at \(n): \(why))"
            case .loop(let n): line += "  (loop back to \(n))"
            case .leftTheNetwork(let a): line += "  (next hop \(a) is outside the network)"
            }
            say(line)
        } catch {
            _ = fail("*** path: \(error)")
        }
    }
}
