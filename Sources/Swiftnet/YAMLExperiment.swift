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
    /// The step kinds of `experiment:` and the keys each takes (`within` for all but
    /// `link` and `sleep`).
    static let yamlStepKeys: [String: [String]] = [
        "start": ["on", "run", "wait_for_port", "within"],
        "ping": ["from", "to", "expect", "within"],
        "tcp": ["from", "to", "port", "expect", "within"],
        "http": ["from", "url", "expect_status", "expect_body", "within"],
        "resolve": ["on", "name", "expect", "within"],
        "dig": ["on", "server", "name", "type", "expect", "within"],
        "run": ["on", "cmd", "expect_output", "expect_exit", "within"],
        "link": ["between", "state"],
        "route": ["on", "to", "expect_via", "expect_dev", "expect", "within"],
        "path": ["from", "to", "expect", "within"],
        "traceroute": ["from", "to", "expect", "within"],
        "converge": ["timeout"],
    ]
    static let yamlStepKinds = ["start", "ping", "tcp", "http", "resolve", "dig", "run", "link", "sleep",
                                "route", "path", "traceroute", "converge"]
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
        let kinds = Topology.yamlStepKinds.joined(separator: ", ")
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

    func step(_ kind: String, _ key: YAMLNode, _ value: YAMLNode, index: Int) throws -> ExperimentStep {
        let loc = location(key)
        if kind == "sleep" {
            guard let d = stepDuration(value) else {
                throw error("step 'sleep' needs a number with a unit (\(durationUnits)) up to 24h, such as `sleep: 500ms` or `sleep: 2s`; found \(describe(value))", at: key)
            }
            return ExperimentStep(.sleep(d), location: loc)
        }
        guard let allowed = Topology.yamlStepKeys[kind] else {
            throw unknownKey(kind, key: key, owner: "experiment step #\(index)", allowed: Topology.yamlStepKinds,
                             lead: "experiment step #\(index) has unknown kind '\(kind)'")
        }
        let what = "step '\(kind)'"
        guard let map = value.mapping else {
            throw error("\(what) needs a mapping of parameters (\(allowed.joined(separator: ", "))); found \(describe(value))", at: key)
        }
        var given: [String: (YAMLNode, YAMLNode)] = [:]
        for (name, k, v) in try pairs(of: map, in: "in \(what)") {
            guard allowed.contains(name) else { throw unknownKey(name, key: k, owner: what, allowed: allowed) }
            if !isNull(v) { given[name] = (k, v) }
        }
        func required(_ name: String, example: String) throws -> String {
            guard let (k, v) = given[name] else {
                throw error("\(what) needs '\(name)', such as `\(name): \(example)`", at: key)
            }
            guard let t = try text(v, key: k, what: "\(what): '\(name)'", example: "\(name): \(example)") else {
                throw error("\(what) needs '\(name)'", at: key)
            }
            return t
        }
        func optional(_ name: String, example: String) throws -> String? {
            guard let (k, v) = given[name] else { return nil }
            return try text(v, key: k, what: "\(what): '\(name)'", example: "\(name): \(example)")
        }
        func number(_ name: String, example: String) throws -> Int? {
            guard let t = try optional(name, example: example) else { return nil }
            guard let n = Int(t) else {
                throw error("\(what): '\(name)' must be a whole number such as \(example), not '\(t)'", at: given[name]!.0)
            }
            return n
        }
        func success(_ name: String) throws -> Bool {
            guard let t = try optional(name, example: "fail") else { return true }
            switch t.lowercased() {
            case "success", "succeed", "ok", "pass", "reachable": return true
            case "fail", "failure", "unreachable": return false
            default: throw error("\(what): 'expect' must be success or fail, not '\(t)'", at: given[name]!.0)
            }
        }
        func resolveExpectation() throws -> ResolveExpectation {
            guard let (k, v) = given["expect"] else { return .anyAddress }
            if v.sequence != nil {
                let list = try textList(v, key: k, what: "\(what): 'expect'", example: "expect: [10.0.0.80]")
                guard !list.isEmpty else { throw error("\(what): 'expect' is an empty list: give addresses or nxdomain", at: k) }
                return .addresses(list)
            }
            let t = try text(v, key: k, what: "\(what): 'expect'", example: "expect: 10.0.0.80") ?? ""
            switch t.lowercased() {
            case "nxdomain": return .nxdomain
            case "any": return .anyAddress
            default: return .addresses([t])
            }
        }
        var within: Duration?
        if let (k, v) = given["within"] {
            guard let d = stepDuration(v) else {
                throw error("\(what): 'within' needs a number with a unit (\(durationUnits)) up to 24h, such as `within: 30s`; found \(describe(v))", at: k)
            }
            within = d
        }
        let action: ExperimentAction
        switch kind {
        case "start":
            action = .start(on: try required("on", example: "web"), command: try required("run", example: "\"python3 -m http.server 80\""),
                            waitForPort: try number("wait_for_port", example: "80"))
        case "ping":
            action = .ping(from: try required("from", example: "h1"), to: try required("to", example: "h2"), expectSuccess: try success("expect"))
        case "tcp":
            guard let port = try number("port", example: "80") else { throw error("\(what) needs 'port', such as `port: 80`", at: key) }
            action = .tcp(from: try required("from", example: "h1"), to: try required("to", example: "web"), port: port,
                          expectSuccess: try success("expect"))
        case "http":
            action = .http(from: try required("from", example: "h1"), url: try required("url", example: "\"http://web/\""),
                           expectStatus: try number("expect_status", example: "200") ?? 200,
                           expectBody: try optional("expect_body", example: "Hello"))
        case "resolve":
            action = .resolve(on: try required("on", example: "h1"), name: try required("name", example: "web"), expect: try resolveExpectation())
        case "dig":
            action = .dig(on: try required("on", example: "h1"), server: try optional("server", example: "ns1") ?? "embedded",
                          name: try required("name", example: "web.lab.test"),
                          type: (try optional("type", example: "A") ?? "A").uppercased(), expect: try resolveExpectation())
        case "run":
            action = .run(on: try required("on", example: "h1"), command: try required("cmd", example: "\"cat /etc/resolv.conf\""),
                          expectOutput: try optional("expect_output", example: "ndots:5"),
                          expectExit: try number("expect_exit", example: "0") ?? 0)
        case "route":
            let expect = try optional("expect", example: "unreachable")
            if let e = expect, e != "unreachable" {
                throw error("\(what): 'expect' can only be unreachable; check a route with expect_via and expect_dev", at: given["expect"]!.0)
            }
            action = .route(on: try required("on", example: "r1"), to: try required("to", example: "10.0.2.10"),
                            expectVia: try optional("expect_via", example: "10.1.0.2"), expectDev: try optional("expect_dev", example: "r1-eth1"),
                            expectUnreachable: expect != nil)
        case "path", "traceroute":
            let from = try required("from", example: "h1"), to = try required("to", example: "h3")
            guard let (k, v) = given["expect"] else {
                throw error("\(what) needs 'expect', the routers crossed, such as `expect: [r1, r2]`", at: key)
            }
            var hops: [String]
            if let s = v.scalar {
                switch s.string {
                case "blackhole", "loop":
                    guard kind == "path" else { throw error("\(what): 'expect' must list the routers crossed, such as [r1, r2]", at: k) }
                    action = .path(from: from, to: to, expect: s.string == "loop" ? .loop : .blackhole)
                    return ExperimentStep(action, within: within, location: loc)
                default:
                    hops = [s.string]
                }
            } else {
                hops = try textList(v, key: k, what: "\(what): 'expect'", example: "expect: [r1, r2]")
            }
            action = kind == "path" ? .path(from: from, to: to, expect: .hops(hops)) : .traceroute(from: from, to: to, expect: hops)
        case "converge":
            var timeout: Duration = .seconds(60)
            if let (k, v) = given["timeout"] {
                guard let d = stepDuration(v) else {
                    throw error("\(what): 'timeout' needs a number with a unit (\(durationUnits)) up to 24h, such as `timeout: 60s`; found \(describe(v))", at: k)
                }
                timeout = d
            }
            return ExperimentStep(.converge, within: timeout, location: loc)
        default: // link
            guard let (k, v) = given["between"] else { throw error("\(what) needs 'between', such as `between: [s1, s2]`", at: key) }
            let ends = try textList(v, key: k, what: "\(what): 'between'", example: "between: [s1, s2]")
            guard ends.count == 2 else { throw error("\(what): 'between' must name exactly two nodes, such as [s1, s2]", at: k) }
            let state = try required("state", example: "down")
            guard state == "up" || state == "down" else {
                throw error("\(what): 'state' must be up or down, not '\(state)'", at: given["state"]!.0)
            }
            action = .link(a: ends[0], b: ends[1], up: state == "up")
        }
        return ExperimentStep(action, within: within, location: loc)
    }
}
