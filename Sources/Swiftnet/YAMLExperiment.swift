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
    static let yamlDNSKeys = ["policy", "nameservers", "search", "options"]
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
                guard let p = DNSPolicy(rawValue: t) else {
                    throw error("host '\(host)': dns policy '\(t)' does not exist; the policies are: \(DNSPolicy.allCases.map(\.rawValue).joined(separator: ", "))", at: optKey)
                }
                d.policy = p
            case "nameservers":
                d.nameservers = try textList(optValue, key: optKey, what: "host '\(host)': dns 'nameservers'", example: "nameservers: [10.0.0.53]")
            case "search":
                d.search = try textList(optValue, key: optKey, what: "host '\(host)': dns 'search'", example: "search: [lab.test]")
            case "options":
                if isNull(optValue) { continue }
                guard let map = optValue.mapping else {
                    throw error("host '\(host)': dns 'options' must be a mapping such as {ndots: 5, timeout: 1, attempts: 2}; found \(describe(optValue))", at: optKey)
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
