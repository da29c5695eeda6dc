import Yams

/// Reading routers and routes:
///
/// ```yaml
/// routers:
///   r1: {asn: 65001}
/// links:
///   - {endpoints: [r1, r2], ips: [10.1.0.1/30, 10.1.0.2/30]}
///   - {endpoints: [r1, s1], ips: [[10.0.1.1/24, "fd00:1::1/64"], ~]}
/// routes:
///   r1: [{to: 10.2.0.0/24, via: 10.1.0.2}]
///   h1: [{to: default, via: 10.0.1.1}]
/// autoaddress: true
/// routing: ospf
/// ```
extension Topology {
    static let yamlRouterKeys = ["asn"]
    static let yamlRouteKeys = ["to", "via"]
}

extension YAMLTopologyReader {
    func routers(_ value: YAMLNode, key: YAMLNode) throws -> [HostSpec] {
        if isNull(value) { return [] }
        guard let map = value.mapping else {
            throw error("'routers' must be a mapping from router name to options, such as `r1: {}`; found \(describe(value))", at: key)
        }
        var out: [HostSpec] = []
        for (name, nameKey, v) in try pairs(of: map, in: "in routers") {
            var r = HostSpec(name: name, kind: .router, location: location(nameKey))
            for (opt, optKey, optValue) in try options(v, owner: "router '\(name)'", key: nameKey,
                                                        allowed: Topology.yamlRouterKeys, example: "\(name): {asn: 65001}") {
                switch opt {
                case "asn":
                    guard let t = try text(optValue, key: optKey, what: "router '\(name)': 'asn'", example: "asn: 65001") else { continue }
                    guard let n = Int(t), (1...4_294_967_294).contains(n) else {
                        throw error("router '\(name)': asn '\(t)' is not an AS number (1 to 4294967294)", at: optKey)
                    }
                    r.asn = n
                default:
                    throw unknownKey(opt, key: optKey, owner: "router '\(name)'", allowed: Topology.yamlRouterKeys)
                }
            }
            out.append(r)
        }
        return out
    }

    func routes(_ value: YAMLNode, key: YAMLNode) throws -> [RouteSpec] {
        if isNull(value) { return [] }
        guard let map = value.mapping else {
            throw error("'routes' must be a mapping from node name to a list of routes, such as `r1: [{to: 10.2.0.0/24, via: 10.1.0.2}]`; found \(describe(value))", at: key)
        }
        var out: [RouteSpec] = []
        for (node, nodeKey, list) in try pairs(of: map, in: "in routes") {
            guard let items = list.sequence else {
                throw error("routes of '\(node)' must be a list such as [{to: 10.2.0.0/24, via: 10.1.0.2}]; found \(describe(list))", at: nodeKey)
            }
            for item in items {
                guard let m = item.mapping else {
                    throw error("a route of '\(node)' must be a mapping such as {to: 10.2.0.0/24, via: 10.1.0.2}; found \(describe(item))", at: item)
                }
                var to: String?, via: String?
                for (k, kn, v) in try pairs(of: m, in: "in a route of '\(node)'") {
                    switch k {
                    case "to": to = try text(v, key: kn, what: "route of '\(node)': 'to'", example: "to: 10.2.0.0/24")
                    case "via": via = try text(v, key: kn, what: "route of '\(node)': 'via'", example: "via: 10.1.0.2")
                    default: throw unknownKey(k, key: kn, owner: "a route of '\(node)'", allowed: Topology.yamlRouteKeys)
                    }
                }
                guard let to, let via else {
                    throw error("a route of '\(node)' needs 'to' and 'via', such as {to: 10.2.0.0/24, via: 10.1.0.2}", at: item)
                }
                out.append(RouteSpec(node: node, to: to, via: via, location: location(item)))
            }
        }
        return out
    }

    /// `ips: [A, B]`: for each end an address, a list of addresses, or nothing (~).
    func endIPs(_ value: YAMLNode, key: YAMLNode, link: String) throws -> [[String]] {
        if isNull(value) { return [] }
        guard let ends = value.sequence, ends.count == 2 else {
            throw error("link \(link): 'ips' must be a list of two entries, one per end, such as [10.1.0.1/30, 10.1.0.2/30]", at: key)
        }
        return try ends.map { e in
            if isNull(e) { return [] }
            return try textList(e, key: key, what: "link \(link): 'ips'", example: "ips: [10.1.0.1/30, 10.1.0.2/30]")
        }
    }

    /// A yes-or-no setting (`parseBool`); a quoted one is text, not a setting.
    func bool(_ value: YAMLNode, key: YAMLNode, what: String) throws -> Bool? {
        if isNull(value) { return nil }
        guard let scalar = value.scalar, !isQuoted(value), let b = parseBool(scalar.string) else {
            throw error("\(what) must be \(boolSyntax), not \(describe(value))", at: key)
        }
        return b
    }
}
