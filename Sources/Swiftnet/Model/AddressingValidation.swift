import Foundation

/// An IPv6 prefix or interface address, parsed: 16 bytes and a prefix length.
struct IPv6CIDR: Hashable {
    var bytes: [UInt8]
    var prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let n = Int(parts[1]), (0...128).contains(n) else { return nil }
        var b = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, String(parts[0]), &b) == 1 else { return nil }
        bytes = b
        prefixLength = n
    }

    init(bytes: [UInt8], prefixLength: Int) {
        self.bytes = bytes
        self.prefixLength = prefixLength
    }

    func contains(_ other: [UInt8]) -> Bool {
        for i in 0..<16 {
            let bits = max(0, min(8, prefixLength - i * 8))
            if bits == 0 { return true }
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[i] & mask != other[i] & mask { return false }
        }
        return true
    }

    var address: String {
        var out = [CChar](repeating: 0, count: 64)
        guard bytes.withUnsafeBufferPointer({ inet_ntop(AF_INET6, $0.baseAddress, &out, 64) }) != nil else { return "?" }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    var text: String { "\(address)/\(prefixLength)" }
}

func ipv6Bytes(_ text: String) -> [UInt8]? {
    var b = [UInt8](repeating: 0, count: 16)
    return inet_pton(AF_INET6, text, &b) == 1 ? b : nil
}

extension Topology {
    /// Gives every interface its addresses, from `ips:` on links, `autoaddress`, and the
    /// hosts' own `ip`/`ip6` (first interface); then checks gateways and static routes
    /// against the subnets each node is on.
    func resolveAddressing(into out: inout ValidatedTopology) throws {
        var addresses: [String: [String]] = [:]   // interface -> CIDRs
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
                    if let v4 = IPv4CIDR(cidr) {
                        guard cidr.contains("/") else {
                            throw TopologyError("link \(spec.a)-\(spec.b): '\(cidr)' needs a prefix length, such as \(cidr)/24", at: spec.location)
                        }
                        if v4.prefixLength <= 30 && (v4.address == v4.network || v4.address.value == v4.network.value | ~v4.mask) {
                            throw TopologyError("link \(spec.a)-\(spec.b): \(cidr) is the network or broadcast address of its subnet: pick an address inside it", at: spec.location)
                        }
                    } else if !isValidIPv6CIDR(cidr) {
                        throw TopologyError("link \(spec.a)-\(spec.b): '\(cidr)' is not an address with a prefix such as 10.1.0.1/30 or fd00:1::1/64", at: spec.location)
                    }
                    addresses[e.interface, default: []].append(cidr)
                    givenAt[e.interface] = spec.location
                }
            }
        }
        var autoGateways: [String: (String?, String?)] = [:]
        if autoAddress {
            autoGateways = try autoAddresses(out, specs: specs, into: &addresses)
        }
        // A host's first interface keeps its own ip/ip6 unless the link or autoaddress gave it one.
        for i in out.hosts.indices where !out.hosts[i].isRouter {
            let h = out.hosts[i]
            guard let first = h.interfaces.first else { continue }
            if addresses[first]?.contains(where: { !$0.contains(":") }) != true {
                addresses[first, default: []].insert(h.ip.description, at: 0)
            }
            if let v6 = h.ip6, addresses[first]?.contains(v6) != true { addresses[first, default: []].append(v6) }
        }
        // Every node's addresses, primary address, duplicates.
        var owner: [String: String] = [:]
        for i in out.hosts.indices {
            var h = out.hosts[i]
            for intf in h.interfaces {
                for cidr in addresses[intf] ?? [] {
                    let a = String(cidr.split(separator: "/")[0])
                    let key = ipv6Bytes(a).map { $0.map(String.init).joined(separator: ".") } ?? a
                    if let other = owner[key], other != intf {
                        throw TopologyError("address \(a) is given to both \(other) and \(intf): give each interface its own", at: givenAt[intf] ?? specs[h.name]?.location)
                    }
                    owner[key] = intf
                }
                h.addresses[intf] = addresses[intf] ?? []
            }
            let v4s = h.interfaces.flatMap { h.addresses[$0] ?? [] }.compactMap { IPv4CIDR($0) }
            if h.isRouter {
                guard let first = v4s.first else {
                    throw TopologyError("router '\(h.name)' has no IPv4 address on any link: give its links `ips:` or use autoaddress: true", at: specs[h.name]?.location)
                }
                h.ip = first
                h.ip6 = h.interfaces.flatMap { h.addresses[$0] ?? [] }.first { $0.contains(":") }
            } else if let first = h.interfaces.first, let v4 = (h.addresses[first] ?? []).compactMap({ IPv4CIDR($0) }).first {
                h.ip = v4
                if h.ip6 == nil { h.ip6 = (h.addresses[first] ?? []).first { $0.contains(":") } }
            }
            if let (g4, g6) = autoGateways[h.name] {
                if h.gateway == nil, let g4 { h.gateway = IPv4Address(g4) }
                if h.gateway6 == nil { h.gateway6 = g6 }
            }
            if let g = h.gateway, !v4s.contains(where: { $0.contains(g) && $0.address != g }) {
                let nets = v4s.map { IPv4CIDR(address: $0.network, prefixLength: $0.prefixLength).description }.joined(separator: ", ")
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
            let v6 = r.via.contains(":")
            guard v6 ? ipv6Bytes(r.via) != nil : IPv4Address(r.via) != nil else {
                throw TopologyError("route of \(r.node) to \(r.to): via '\(r.via)' is not an IP address", at: r.location)
            }
            var dest = r.to
            if dest == "default" && v6 { dest = "default6" }
            if dest != "default" && dest != "default6" {
                let ok = v6 ? IPv6CIDR(dest) != nil : (IPv4CIDR(dest).map { _ in dest.contains("/") } ?? false)
                guard ok else {
                    throw TopologyError("route of \(r.node): to '\(r.to)' is not a prefix of the via's family, such as \(v6 ? "fd00:2::/64" : "10.2.0.0/24"), or default", at: r.location)
                }
            }
            let cidrs = h.interfaces.flatMap { h.addresses[$0] ?? [] }
            let connected = cidrs.contains { c in
                if v6 { return IPv6CIDR(c).map { $0.contains(ipv6Bytes(r.via)!) && $0.address != IPv6CIDR(r.via + "/128")?.address } ?? false }
                return IPv4CIDR(c).map { $0.contains(IPv4Address(r.via)!) && $0.address != IPv4Address(r.via)! } ?? false
            }
            guard connected else {
                let nets = cidrs.filter { $0.contains(":") == v6 }.joined(separator: ", ")
                throw TopologyError("route of \(r.node) to \(r.to): next hop \(r.via) is not on a subnet \(r.node) is connected to (\(nets.isEmpty ? "none" : nets)): a next hop must be reachable directly", at: r.location)
            }
            out.hosts[i].routes.append(ResolvedRoute(destination: dest, via: r.via))
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
                       into addresses: inout [String: [String]]) throws -> [String: (String?, String?)] {
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
        var gateways: [String: (String?, String?)] = [:]
        let p2pBlock = base.network.value &+ UInt32(base.size - 16384)
        for ends in segments where !ends.isEmpty {
            let routers = ends.filter { isRouter.contains($0.node) }.sorted { naturalLess($0.node, $1.node) }
            let hosts = ends.filter { !isRouter.contains($0.node) }.sorted { naturalLess($0.node, $1.node) }
            func assign(_ e: Endpoint, _ v4: String, _ v6: String?) {
                if addresses[e.interface]?.contains(where: { !$0.contains(":") }) != true,
                   !(e.port == 0 && specs[e.node]?.ip != nil) {
                    addresses[e.interface, default: []].append(v4)
                }
                if let v6, addresses[e.interface]?.contains(where: { $0.contains(":") }) != true {
                    addresses[e.interface, default: []].append(v6)
                }
            }
            func v6Prefix(_ sub: UInt16) -> [UInt8]? {
                guard var b = base6?.bytes else { return nil }
                b[6] = UInt8(sub >> 8); b[7] = UInt8(sub & 0xff)
                return b
            }
            // Host numbers are written in decimal digits (host 10 is ::10), as in IPv4's .10.
            func v6Addr(_ prefix: [UInt8]?, _ number: UInt16) -> String? {
                guard var b = prefix, let host = UInt16(String(number), radix: 16) else { return nil }
                for i in 8..<16 { b[i] = 0 }
                b[14] = UInt8(host >> 8); b[15] = UInt8(host & 0xff)
                return IPv6CIDR(bytes: b, prefixLength: 64).text
            }
            if hosts.isEmpty && routers.count == 2 {
                let net = p2pBlock &+ 4 * p2pNumber
                guard UInt64(4 * (p2pNumber + 1)) <= 16384 else {
                    throw TopologyError("autoaddress: too many router-to-router links for ipbase \(base)", at: location)
                }
                let prefix = v6Prefix(0x8000 &+ UInt16(truncatingIfNeeded: p2pNumber))
                p2pNumber += 1
                for (k, e) in routers.enumerated() {
                    assign(e, IPv4CIDR(address: IPv4Address(net + UInt32(k + 1)), prefixLength: 30).description, v6Addr(prefix, UInt16(k + 1)))
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
                assign(e, IPv4CIDR(address: IPv4Address(net + UInt32(k + 1)), prefixLength: 24).description, v6Addr(prefix, UInt16(k + 1)))
            }
            let gw4: String? = routers.isEmpty ? nil : IPv4Address(net + 1).description
            let gw6 = routers.isEmpty ? nil : v6Addr(prefix, 1).map { String($0.split(separator: "/")[0]) }
            for (k, e) in hosts.enumerated() {
                assign(e, IPv4CIDR(address: IPv4Address(net + UInt32(k + 10)), prefixLength: 24).description, v6Addr(prefix, UInt16(k + 10)))
                if e.port == 0 && (gw4 != nil || gw6 != nil) { gateways[e.node] = (gw4, gw6) }
            }
        }
        return gateways
    }
}
