import Foundation

extension Topology {
    /// Gives every interface its addresses, from `ips:` on links, `autoaddress`, and the
    /// hosts' own `ip`/`ip6` (first interface); then checks gateways and static routes
    /// against the subnets each node is on.
    func resolveAddressing(into out: inout ValidatedTopology) throws {
        var addresses: [String: [IPCIDR]] = [:]   // interface -> its addresses
        var givenAt: [String: SourceLocation] = [:]   // interface -> the link that gave its addresses
        let specs = Dictionary(hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // Explicit per-link addresses.
        for (l, spec) in zip(out.links, links) where !spec.ips.isEmpty {
            guard spec.ips.count == 2 else {
                throw TopologyError("link \(spec.a)-\(spec.b): 'ips' must give one address (or list) per end, such as [10.1.0.1/30, 10.1.0.2/30]", at: spec.location)
            }
            for (e, list) in zip([l.a, l.b], spec.ips) where !list.isEmpty {
                if e.kind == .switch {
                    throw TopologyError("link \(spec.a)-\(spec.b): '\(e.node)' is a switch, whose ports have no addresses; write ~ for its end", at: spec.location)
                }
                for cidr in list {
                    let parsed: IPCIDR
                    if let v4 = IPv4CIDR(cidr) {
                        guard cidr.contains("/") else {
                            throw TopologyError("link \(spec.a)-\(spec.b): '\(cidr)' needs a prefix length, such as \(cidr)/24", at: spec.location)
                        }
                        if v4.prefixLength <= 30 && (v4.address == v4.network || v4.address.value == v4.network.value | ~v4.mask) {
                            throw TopologyError("link \(spec.a)-\(spec.b): \(cidr) is the network or broadcast address of its subnet: pick an address inside it", at: spec.location)
                        }
                        parsed = .v4(v4)
                    } else if let v6 = IPv6CIDR(cidr) {
                        parsed = .v6(v6)
                    } else {
                        throw TopologyError("link \(spec.a)-\(spec.b): '\(cidr)' is not an address with a prefix such as 10.1.0.1/30 or fd00:1::1/64", at: spec.location)
                    }
                    addresses[e.interface, default: []].append(parsed)
                    givenAt[e.interface] = spec.location
                }
            }
        }
        var autoGateways: [String: (IPv4Address?, IPv6Address?)] = [:]
        if autoAddress {
            autoGateways = try autoAddresses(out, specs: specs, into: &addresses)
        }
        // A host's first interface keeps its own ip/ip6 unless the link or autoaddress gave it one.
        for i in out.hosts.indices where !out.hosts[i].isRouter {
            let h = out.hosts[i]
            guard let first = h.interfaces.first else { continue }
            if addresses[first]?.contains(where: { !$0.isIPv6 }) != true {
                addresses[first, default: []].insert(.v4(h.ip), at: 0)
            }
            if let v6 = h.ip6, addresses[first]?.contains(.v6(v6)) != true { addresses[first, default: []].append(.v6(v6)) }
        }
        // Every node's addresses, primary address, duplicates.
        var owner: [IPAddress: String] = [:]
        for i in out.hosts.indices {
            var h = out.hosts[i]
            for intf in h.interfaces {
                for cidr in addresses[intf] ?? [] {
                    let a = cidr.address
                    if let other = owner[a], other != intf {
                        throw TopologyError("address \(a) is given to both \(other) and \(intf): give each interface its own", at: givenAt[intf] ?? specs[h.name]?.location)
                    }
                    owner[a] = intf
                }
                h.addresses[intf] = addresses[intf] ?? []
            }
            let v4s = h.interfaces.flatMap { h.addresses[$0] ?? [] }.compactMap(\.v4)
            if h.isRouter {
                guard let first = v4s.first else {
                    throw TopologyError("router '\(h.name)' has no IPv4 address on any link: give its links `ips:` or use autoaddress: true", at: specs[h.name]?.location)
                }
                h.ip = first
                h.ip6 = h.interfaces.flatMap { h.addresses[$0] ?? [] }.lazy.compactMap(\.v6).first
            } else if let first = h.interfaces.first, let v4 = (h.addresses[first] ?? []).lazy.compactMap(\.v4).first {
                h.ip = v4
                if h.ip6 == nil { h.ip6 = (h.addresses[first] ?? []).lazy.compactMap(\.v6).first }
            }
            if let (g4, g6) = autoGateways[h.name] {
                if h.gateway == nil, let g4 { h.gateway = g4 }
                if h.gateway6 == nil { h.gateway6 = g6 }
            }
            if let g = h.gateway, !v4s.contains(where: { $0.contains(g) && $0.address != g }) {
                let nets = v4s.map(\.prefix.description).joined(separator: ", ")
                throw TopologyError("host '\(h.name)' has gateway \(g), which is not on its own subnet\(v4s.count == 1 ? "" : "s") \(nets): pick an address it can reach directly", at: specs[h.name]?.location)
            }
            out.hosts[i] = h
        }
        // Static routes.
        for r in routes {
            guard let i = out.hosts.firstIndex(where: { $0.name == r.node }) else {
                let kind = out.kind(of: r.node) == .switch ? "is a switch, which does not route" : "is not a node of this topology"
                throw TopologyError("routes: '\(r.node)' \(kind)", at: r.location)
            }
            let h = out.hosts[i]
            guard let via = IPAddress(r.via) else {
                throw TopologyError("route of \(r.node) to \(r.to): via '\(r.via)' is not an IP address", at: r.location)
            }
            let v6 = via.isIPv6
            let dest: IPCIDR
            switch r.to {
            case "default": dest = .any(ipv6: v6)
            case "default6": dest = .any(ipv6: true)
            default:
                guard let d = v6 ? IPv6CIDR(r.to).map(IPCIDR.v6) : IPv4CIDR(r.to).map(IPCIDR.v4) else {
                    throw TopologyError("route of \(r.node): to '\(r.to)' is not a prefix of the via's family, such as \(v6 ? "fd00:2::/64" : "10.2.0.0/24"), or default", at: r.location)
                }
                dest = d
            }
            let cidrs = h.interfaces.flatMap { h.addresses[$0] ?? [] }
            let connected = cidrs.contains { $0.contains(via) && $0.address != via }
            guard connected else {
                let nets = cidrs.filter { $0.isIPv6 == v6 }.map(\.description).joined(separator: ", ")
                throw TopologyError("route of \(r.node) to \(r.to): next hop \(r.via) is not on a subnet \(r.node) is connected to (\(nets.isEmpty ? "none" : nets)): a next hop must be reachable directly", at: r.location)
            }
            out.hosts[i].routes.append(ResolvedRoute(destination: dest, via: via))
        }
        out.routing = routing
        if routing == .bgp {
            for r in out.routers where r.asn == nil {
                throw TopologyError("router '\(r.name)' needs an asn for routing: bgp, such as `\(r.name): {asn: 65001}`", at: specs[r.name]?.location)
            }
        }
        if routing != nil && out.routers.isEmpty {
            throw TopologyError("routing: \(routing!.rawValue) needs routers: add a routers: section", at: location)
        }
    }

    /// `autoaddress`: every router-to-router link gets a /30 (and a /64 from `ipBase6`),
    /// every other segment (the hosts and routers on a switch, or joined by a link) a
    /// /24 (and a /64), in link order; routers take the first addresses of a LAN (.1, .2 in
    /// name order), hosts the next ones from .10 on, and a host's gateway is its LAN's
    /// first router. Addresses given in the file are kept.
    /// - Returns: each host's IPv4 and IPv6 gateway.
    func autoAddresses(_ out: ValidatedTopology, specs: [String: HostSpec],
                       into addresses: inout [String: [IPCIDR]]) throws -> [String: (IPv4Address?, IPv6Address?)] {
        let base = out.ipBase
        guard base.prefixLength <= 16 else {
            throw TopologyError("autoaddress needs an ipbase of /16 or larger (it gives each LAN a /24), not \(base)", at: location)
        }
        var base6: IPv6CIDR?
        if let b = ipBase6 {
            guard let p = IPv6CIDR(b), p.prefixLength <= 48 else {
                throw TopologyError("ipbase6 '\(b)' is not an IPv6 prefix of /48 or larger, such as fd00::/48", at: location)
            }
            base6 = p
        }
        // Segments: switches joined by links are one segment; any other link is its own.
        var parent: [String: String] = [:]
        func root(_ n: String) -> String { var x = n; while let p = parent[x], p != x { x = p }; return x }
        for l in out.links where l.a.kind == .switch && l.b.kind == .switch {
            let (ra, rb) = (root(l.a.node), root(l.b.node))
            if ra != rb { parent[ra] = rb }
        }
        var segments: [[Endpoint]] = []
        var segmentOfSwitch: [String: Int] = [:]
        for l in out.links {
            let ends = [l.a, l.b].filter { $0.kind != .switch }
            if let sw = [l.a, l.b].first(where: { $0.kind == .switch }) {
                let r = root(sw.node)
                if let k = segmentOfSwitch[r] { segments[k] += ends } else {
                    segmentOfSwitch[r] = segments.count
                    segments.append(ends)
                }
            } else {
                segments.append(ends)
            }
        }
        let isRouter = Set(out.routers.map(\.name))
        var lanNumber: UInt32 = 0
        var p2pNumber: UInt32 = 0
        var gateways: [String: (IPv4Address?, IPv6Address?)] = [:]
        let p2pBlock = base.network.value &+ UInt32(base.size - 16384)
        for ends in segments where !ends.isEmpty {
            let routers = ends.filter { isRouter.contains($0.node) }.sorted { naturalLess($0.node, $1.node) }
            let hosts = ends.filter { !isRouter.contains($0.node) }.sorted { naturalLess($0.node, $1.node) }
            func assign(_ e: Endpoint, _ v4: IPv4CIDR, _ v6: IPv6CIDR?) {
                if addresses[e.interface]?.contains(where: { !$0.isIPv6 }) != true,
                   !(e.port == 0 && specs[e.node]?.ip != nil) {
                    addresses[e.interface, default: []].append(.v4(v4))
                }
                if let v6, addresses[e.interface]?.contains(where: \.isIPv6) != true {
                    addresses[e.interface, default: []].append(.v6(v6))
                }
            }
            func v6Prefix(_ sub: UInt16) -> [UInt8]? {
                guard var b = base6?.address.bytes else { return nil }
                b[6] = UInt8(sub >> 8); b[7] = UInt8(sub & 0xff)
                return b
            }
            // Host numbers are written in decimal digits (host 10 is ::10), as in IPv4's .10.
            func v6Addr(_ prefix: [UInt8]?, _ number: UInt16) -> IPv6CIDR? {
                guard var b = prefix, let host = UInt16(String(number), radix: 16) else { return nil }
                for i in 8..<16 { b[i] = 0 }
                b[14] = UInt8(host >> 8); b[15] = UInt8(host & 0xff)
                return IPv6Address(bytes: b).map { IPv6CIDR(address: $0, prefixLength: 64) }
            }
            if hosts.isEmpty && routers.count == 2 {
                let net = p2pBlock &+ 4 * p2pNumber
                guard UInt64(4 * (p2pNumber + 1)) <= 16384 else {
                    throw TopologyError("autoaddress: too many router-to-router links for ipbase \(base)", at: location)
                }
                let prefix = v6Prefix(0x8000 &+ UInt16(truncatingIfNeeded: p2pNumber))
                p2pNumber += 1
                for (k, e) in routers.enumerated() {
                    assign(e, IPv4CIDR(address: IPv4Address(net + UInt32(k + 1)), prefixLength: 30), v6Addr(prefix, UInt16(k + 1)))
                }
                continue
            }
            lanNumber += 1
            let net = base.network.value &+ lanNumber << 8
            guard UInt64(lanNumber + 1) << 8 <= base.size - 16384 else {
                throw TopologyError("autoaddress: too many LANs for ipbase \(base)", at: location)
            }
            guard routers.count < 10, hosts.count <= 244 else {
                throw TopologyError("autoaddress: a LAN has \(routers.count) routers and \(hosts.count) hosts; it numbers up to 9 routers and 244 hosts per /24", at: location)
            }
            let prefix = v6Prefix(UInt16(truncatingIfNeeded: lanNumber))
            for (k, e) in routers.enumerated() {
                assign(e, IPv4CIDR(address: IPv4Address(net + UInt32(k + 1)), prefixLength: 24), v6Addr(prefix, UInt16(k + 1)))
            }
            let gw4 = routers.isEmpty ? nil : IPv4Address(net + 1)
            let gw6 = routers.isEmpty ? nil : v6Addr(prefix, 1)?.address
            for (k, e) in hosts.enumerated() {
                assign(e, IPv4CIDR(address: IPv4Address(net + UInt32(k + 10)), prefixLength: 24), v6Addr(prefix, UInt16(k + 10)))
                if e.port == 0 && (gw4 != nil || gw6 != nil) { gateways[e.node] = (gw4, gw6) }
            }
        }
        return gateways
    }
}
