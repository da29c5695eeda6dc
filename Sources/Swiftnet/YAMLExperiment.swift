import Yams

/// Reading the DNS and experiment parts of a topology file:
///
/// ```yaml
/// domain: lab.test
/// records: {www.lab.test: 10.0.0.80, alias.lab.test: web}
/// hosts:
///   h1: {dns: {policy: embedded, search: [lab.test], options: {ndots: 5}}}
///   ns1: {kind: dns}
/// experiment:
///   - start: {on: web, run: "python3 -m http.server 80", wait_for_port: 80}
///   - ping: {from: h1, to: h2, within: 5s}
///   - sleep: 500ms
/// ```
extension Topology {
    static let yamlDNSKeys = ["policy", "nameservers", "search", "searches", "options"]
    static let yamlClusterKeys = ["domain", "dns", "resolv_conf"]
}

extension YAMLTopologyReader {
    func records(_ value: YAMLNode, key: YAMLNode) throws -> [DNSRecordSpec] {
        if isNull(value) { return [] }
        guard let map = value.mapping else {
            throw error("'records' must be a mapping from name to address or name, such as `www.lab.test: 10.0.0.80`; found \(describe(value))", at: key)
        }
        return try pairs(of: map, in: "in records").map { name, k, v in
            guard let t = try text(v, key: k, what: "record '\(name)'", example: "\(name): 10.0.0.80"), !t.isEmpty else {
                throw error("record '\(name)' has no value: give an address or a name", at: k)
            }
            return DNSRecordSpec(name: name, value: t, location: location(k))
        }
    }

    func dnsSettings(_ value: YAMLNode, key: YAMLNode, host: String) throws -> DNSSettings? {
        if isNull(value) { return nil }
        var d = DNSSettings(location: location(key))
        for (opt, optKey, optValue) in try options(value, owner: "host '\(host)': 'dns'", key: key,
                                                    allowed: Topology.yamlDNSKeys, example: "dns: {policy: embedded}") {
            switch opt {
            case "policy":
                guard let t = try text(optValue, key: optKey, what: "host '\(host)': dns 'policy'", example: "policy: embedded") else { continue }
                guard let p = DNSPolicy(rawValue: t) ?? DNSPolicy.allCases.first(where: { $0.rawValue.lowercased() == t.lowercased() && $0.isKubernetes }) else {
                    throw error("host '\(host)': dns policy '\(t)' does not exist; the policies are: \(DNSPolicy.allCases.map(\.rawValue).joined(separator: ", "))", at: optKey)
                }
                d.policy = p
            case "nameservers":
                d.nameservers = try textList(optValue, key: optKey, what: "host '\(host)': dns 'nameservers'", example: "nameservers: [10.0.0.53]")
            case "search", "searches":
                d.search += try textList(optValue, key: optKey, what: "host '\(host)': dns '\(opt)'", example: "\(opt): [lab.test]")
            case "options":
                if isNull(optValue) { continue }
                if let list = optValue.sequence {
                    d.options += try list.map { try dnsConfigOption($0, host: host) }
                    continue
                }
                guard let map = optValue.mapping else {
                    throw error("host '\(host)': dns 'options' must be a mapping such as {ndots: 5, timeout: 1, attempts: 2}, or a list as a pod's dnsConfig writes it, such as [{name: ndots, value: \"2\"}, {name: edns0}]; found \(describe(optValue))", at: optKey)
                }
                for (name, k, v) in try pairs(of: map, in: "in host '\(host)' dns options") {
                    if isNull(v) { d.options.append(DNSOption(name)); continue }
                    guard let s = v.scalar else {
                        throw error("host '\(host)': dns option '\(name)' must be a single value, not \(describe(v))", at: k)
                    }
                    d.options.append(DNSOption(name, s.string))
                }
            default:
                throw unknownKey(opt, key: optKey, owner: "host '\(host)': 'dns'", allowed: Topology.yamlDNSKeys)
            }
        }
        return d
    }

    /// One item of a dnsConfig's `options` list: `{name: ndots, value: "2"}`, `{name: edns0}`,
    /// or the resolv.conf word itself (`ndots:2`).
    func dnsConfigOption(_ item: YAMLNode, host: String) throws -> DNSOption {
        let example = "{name: ndots, value: \"2\"}"
        if let s = item.scalar, !isNull(item) { return DNSOption(text: s.string) }
        guard let map = item.mapping else {
            throw error("host '\(host)': a dns option must be a mapping such as \(example), not \(describe(item))", at: item)
        }
        var name: String?
        var value: String?
        for (k, keyNode, v) in try pairs(of: map, in: "in host '\(host)' dns options") {
            switch k {
            case "name": name = try text(v, key: keyNode, what: "host '\(host)': dns option 'name'", example: "name: ndots")
            case "value": value = isNull(v) ? nil : try text(v, key: keyNode, what: "host '\(host)': dns option 'value'", example: "value: \"2\"")
            default: throw unknownKey(k, key: keyNode, owner: "host '\(host)': a dns option", allowed: ["name", "value"])
            }
        }
        guard let n = name, !n.isEmpty else {
            throw error("host '\(host)': a dns option needs a name, such as \(example)", at: item)
        }
        return DNSOption(n, value)
    }

    /// `cluster: {domain: cluster.local, dns: 10.96.0.10, resolv_conf: node-resolv.conf}`.
    func cluster(_ value: YAMLNode, key: YAMLNode) throws -> ClusterSpec? {
        if isNull(value) { return nil }
        var c = ClusterSpec(location: location(key))
        for (opt, optKey, optValue) in try options(value, owner: "'cluster'", key: key, allowed: Topology.yamlClusterKeys,
                                                    example: "cluster: {domain: cluster.local, dns: 10.96.0.10}") {
            switch opt {
            case "domain":
                if let t = try text(optValue, key: optKey, what: "cluster 'domain'", example: "domain: cluster.local") { c.domain = t }
            case "dns":
                c.dns = try textList(optValue, key: optKey, what: "cluster 'dns'", example: "dns: 10.96.0.10")
            case "resolv_conf":
                c.resolvConf = try text(optValue, key: optKey, what: "cluster 'resolv_conf'", example: "resolv_conf: node-resolv.conf")
            default:
                throw unknownKey(opt, key: optKey, owner: "'cluster'", allowed: Topology.yamlClusterKeys)
            }
        }
        return c
    }

    /// A list of texts, or a single text as a list of one.
    func textList(_ node: YAMLNode, key: YAMLNode, what: String, example: String) throws -> [String] {
        if isNull(node) { return [] }
        if node.scalar != nil { return [node.scalar!.string] }
        guard let seq = node.sequence else {
            throw error("\(what) must be a list such as `\(example)`, not \(describe(node))", at: key)
        }
        return try seq.map { item in
            guard let s = item.scalar, !isNull(item) else {
                throw error("\(what) must list single values such as `\(example)`, not \(describe(item))", at: item)
            }
            return s.string
        }
    }

    func experiment(_ value: YAMLNode, key: YAMLNode) throws -> [ExperimentStep] {
        if isNull(value) { return [] }
        let kinds = StepRegistry.keywords.joined(separator: ", ")
        guard let items = value.sequence else {
            throw error("'experiment' must be a list of steps such as `- ping: {from: h1, to: h2}`; found \(describe(value))", at: key)
        }
        return try items.enumerated().map { i, item in
            guard let map = item.mapping, map.count == 1, let (k, v) = map.first.map({ ($0.key, $0.value) }),
                  let kind = k.scalar?.string else {
                throw error("experiment step #\(i + 1) must be one step kind with its parameters, such as `- ping: {from: h1, to: h2}`; the kinds are \(kinds)", at: item)
            }
            return try step(kind, k, v, index: i + 1)
        }
    }

    /// A step's duration (`sleep`, `within`, `timeout`): `parseDuration`'s text, up to a day.
    func stepDuration(_ node: YAMLNode) -> Duration? {
        guard let s = node.scalar, let d = parseDuration(s.string), d <= .seconds(86_400) else { return nil }
        return d
    }

    /// One step, read by its kind in `StepRegistry`.
    func step(_ kind: String, _ key: YAMLNode, _ value: YAMLNode, index: Int) throws -> ExperimentStep {
        guard let type = StepRegistry.kind(named: kind) else {
            throw unknownKey(kind, key: key, owner: "experiment step #\(index)", allowed: StepRegistry.keywords,
                             lead: "experiment step #\(index) has unknown kind '\(kind)'")
        }
        let parameters = try StepParameters(reader: self, keyword: type.keyword, keys: type.keys, key: key, value: value)
        let step = try type.parse(parameters)
        return ExperimentStep(ExperimentAction(step), within: parameters.within, location: location(key))
    }
}
