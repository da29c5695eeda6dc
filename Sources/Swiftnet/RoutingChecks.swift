import Foundation
import Glibc
import Namespaces
import Netlink

extension RouteEntry.Kind {
    /// The kernel's route type under the name Netlink gives it.
    init(_ t: RouteType) { self.init(t.description) }
}

/// The forwarding path of a packet from a host to an address, followed through the
/// nodes' FIBs.
public struct ForwardingPath: Sendable, Hashable {
    /// How the walk ended.
    public enum Outcome: Sendable, Hashable {
        /// The destination's owner was reached.
        case reached
        /// `node` has no route (or is a host, which does not forward).
        case blackhole(node: String, reason: String)
        /// The path came back to `node`.
        case loop(node: String)
        /// The next hop is an address no node of the network has.
        case leftTheNetwork(address: String)
    }
    /// The routers crossed, in order (switches and the two end hosts are not listed).
    public var routers: [String]
    /// Every node visited, the source first.
    public var nodes: [String]
    public var outcome: Outcome

    public var text: String {
        let via = routers.isEmpty ? "no router" : routers.joined(separator: " -> ")
        switch outcome {
        case .reached: return via
        case .blackhole(let n, let why): return "a black hole at \(n) (\(why))" + (routers.isEmpty ? "" : " after \(via)")
        case .loop(let n): return "a loop back to \(n): \(nodes.joined(separator: " -> "))"
        case .leftTheNetwork(let a): return "a next hop \(a) outside the network" + (routers.isEmpty ? "" : " after \(via)")
        }
    }
}

extension Network {
    /// The kernel's route lookup for `destination` inside `node`.
    /// Equivalent to: `ip -n NODE route get DESTINATION`.
    public func routeLookup(on node: String, to destination: String) throws -> RouteLookupResult {
        let r = try routeSocket(for: node).routeGet(try address(of: destination))
        guard let asked = IPAddress(r.destination) else { throw NetworkError("'\(r.destination)' is not an IP address") }
        return RouteLookupResult(destination: asked, type: RouteEntry.Kind(r.type), gateway: r.gateway.flatMap { IPAddress($0) },
                                 interface: r.outputName, interfaceIndex: r.outputIndex,
                                 preferredSource: r.preferredSource.flatMap { IPAddress($0) }, table: r.table)
    }

    /// The node that has `address` on one of its interfaces, and that interface.
    func owner(of address: String) -> (node: String, interface: String)? {
        guard let a = IPAddress(address) else { return nil }
        for h in topology.hosts {
            for (intf, cidrs) in h.addresses where cidrs.contains(where: { $0.address == a }) {
                return (h.name, intf)
            }
        }
        return nil
    }

    /// The node that has a link-local address (OSPFv3 and IPv6 neighbours route through
    /// them) on the link leaving `node` through `interface`: asked of the kernels of the
    /// nodes on that segment.
    func linkLocalOwner(_ address: String, from node: String, interface: String?) -> (node: String, interface: String)? {
        guard address.lowercased().hasPrefix("fe80"), let interface else { return nil }
        var candidates: [String] = []
        var switches: Set<String> = []
        var frontier = [interface]
        while let intf = frontier.popLast() {
            for l in topology.links where l.a.interface == intf || l.b.interface == intf {
                let other = l.a.interface == intf ? l.b : l.a
                if other.kind == .switch {
                    if switches.insert(other.node).inserted {
                        for sl in topology.links where sl.a.node == other.node || sl.b.node == other.node {
                            let far = sl.a.node == other.node ? sl.b : sl.a
                            if far.kind == .switch { frontier.append(sl.a.node == other.node ? sl.a.interface : sl.b.interface) }
                            else if far.node != node { candidates.append(far.node) }
                        }
                    }
                } else {
                    candidates.append(other.node)
                }
            }
        }
        for c in candidates {
            guard let s = try? routeSocket(for: c), let list = try? s.addresses(), let links = try? s.links() else { continue }
            for a in list where Self.sameAddress(String(a.cidr.split(separator: "/")[0]), address) {
                return (c, links.first { $0.index == a.index }?.name ?? "")
            }
        }
        return nil
    }

    /// Follows a packet from `source` to `destination` (a host or an address) through
    /// each node's FIB, as `ip route get` answers in each: the next hop's owner is the
    /// next node, until the node that has the destination address.
    public func forwardingPath(from source: String, to destination: String) throws -> ForwardingPath {
        let target = try address(of: destination)
        var current = source
        var nodes = [source]
        var routers: [String] = []
        while nodes.count < 64 {
            let r = try routeSocket(for: current).routeGet(target)
            switch r.type {
            case .local:
                return ForwardingPath(routers: routers, nodes: nodes, outcome: .reached)
            case .unicast:
                break
            default:
                return ForwardingPath(routers: routers, nodes: nodes, outcome: .blackhole(node: current, reason: "\(r.type)"))
            }
            let nextHop = r.gateway ?? target
            guard let (next, _) = owner(of: nextHop) ?? linkLocalOwner(nextHop, from: current, interface: r.outputName) else {
                if r.gateway == nil {
                    return ForwardingPath(routers: routers, nodes: nodes, outcome: .blackhole(node: current, reason: "\(target) is on its link \(r.outputName ?? "") but no node has it"))
                }
                return ForwardingPath(routers: routers, nodes: nodes, outcome: .leftTheNetwork(address: nextHop))
            }
            if nodes.contains(next) {
                nodes.append(next)
                return ForwardingPath(routers: routers, nodes: nodes, outcome: .loop(node: next))
            }
            nodes.append(next)
            if topology.host(next)?.isRouter == true {
                routers.append(next)
            } else if owner(of: target)?.node != next {
                return ForwardingPath(routers: routers, nodes: nodes, outcome: .blackhole(node: next, reason: "a host, which does not forward"))
            }
            current = next
        }
        return ForwardingPath(routers: routers, nodes: nodes, outcome: .loop(node: current))
    }

    /// `traceroute -n` from a host, each hop's address mapped back to its node.
    /// - Returns: the nodes answering at each hop ("*" for none), the destination excluded.
    public func traceroute(from source: String, to destination: String, maxHops: Int = 16,
                           isCancelled: () -> Bool = { false }) throws -> [String] {
        let target = try address(of: destination)
        guard ProcessRuntime.resolve("traceroute") != nil else {
            throw NetworkError("traceroute is not installed: apt-get install -y traceroute")
        }
        let r = try run(on: source, ["traceroute", "-n", "-q", "1", "-w", "1", "-m", "\(maxHops)", target], timeout: .seconds(Int64(maxHops) + 10), isCancelled: isCancelled)
        guard r.succeeded else { throw NetworkError("traceroute failed: \(Self.excerpt(r.stderr + r.stdout))") }
        var hops: [String] = []
        for line in r.stdout.split(separator: "\n").dropFirst() {
            let words = line.split(separator: " ")
            guard words.count >= 2, Int(words[0]) != nil else { continue }
            let addr = String(words[1])
            if Self.sameAddress(addr, target) { break }
            hops.append(addr == "*" ? "*" : owner(of: addr)?.node ?? addr)
        }
        return hops
    }

    /// The subnets every router should reach: those of every router interface.
    func routerSubnets() -> Set<String> {
        var out: Set<String> = []
        for r in topology.routers {
            for cidrs in r.addresses.values {
                for c in cidrs { out.insert(c.prefix.description) }
            }
        }
        return out
    }

    /// For each router, the subnets of `routerSubnets()` missing from its FIB.
    public func missingRoutes() throws -> [String: [String]] {
        let wanted = routerSubnets()
        var missing: [String: [String]] = [:]
        for r in topology.routers {
            let have = Set(try routeSocket(for: r.name).routes().map { route -> String in
                if let v6 = IPv6CIDR(route.destination) { return v6.description }
                return route.destination
            })
            let lacking = wanted.subtracting(have).sorted()
            if !lacking.isEmpty { missing[r.name] = lacking }
        }
        return missing
    }
}
