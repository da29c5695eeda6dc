import Foundation
import Yams

/// A step's YAML value as `StepKind.parse` reads it: the mapping's entries (checked
/// against the kind's `keys`), and helpers that read them with file:line errors.
final class StepParameters {
    let reader: YAMLTopologyReader
    /// The step's key (`ping`) and value (its mapping, or `500ms` for `sleep`).
    let key: YAMLNode
    let value: YAMLNode
    /// The keys given, with their key and value nodes (null values left out).
    private(set) var given: [String: (key: YAMLNode, value: YAMLNode)] = [:]
    /// Retry the check until it passes, up to this long.
    var within: Duration?
    /// "step 'ping'": how messages name the step.
    let what: String

    init(reader: YAMLTopologyReader, keyword: String, keys: [String]?, key: YAMLNode, value: YAMLNode) throws {
        self.reader = reader
        self.key = key
        self.value = value
        self.what = "step '\(keyword)'"
        guard let allowed = keys else { return }
        guard let map = value.mapping else {
            throw reader.error("\(what) needs a mapping of parameters (\(allowed.joined(separator: ", "))); found \(reader.describe(value))", at: key)
        }
        for (name, k, v) in try reader.pairs(of: map, in: "in \(what)") {
            guard allowed.contains(name) else { throw reader.unknownKey(name, key: k, owner: what, allowed: allowed) }
            if !reader.isNull(v) { given[name] = (k, v) }
        }
        if allowed.contains("within") { within = try duration("within", example: "30s") }
    }

    /// An error at the step's key (or at `node`).
    func error(_ message: String, at node: YAMLNode? = nil) -> TopologyError {
        reader.error(message, at: node ?? key)
    }

    /// The key node of a given parameter (for errors about its value).
    func keyNode(_ name: String) -> YAMLNode { given[name]?.key ?? key }

    func required(_ name: String, example: String) throws -> String {
        guard let (k, v) = given[name] else {
            throw error("\(what) needs '\(name)', such as `\(name): \(example)`")
        }
        guard let t = try reader.text(v, key: k, what: "\(what): '\(name)'", example: "\(name): \(example)") else {
            throw error("\(what) needs '\(name)'")
        }
        return t
    }

    func optional(_ name: String, example: String) throws -> String? {
        guard let (k, v) = given[name] else { return nil }
        return try reader.text(v, key: k, what: "\(what): '\(name)'", example: "\(name): \(example)")
    }

    func number(_ name: String, example: String) throws -> Int? {
        guard let t = try optional(name, example: example) else { return nil }
        guard let n = Int(t) else {
            throw error("\(what): '\(name)' must be a whole number such as \(example), not '\(t)'", at: keyNode(name))
        }
        return n
    }

    /// `expect: success` (the default) or `expect: fail`.
    func success(_ name: String) throws -> Bool {
        guard let t = try optional(name, example: "fail") else { return true }
        switch t.lowercased() {
        case "success", "succeed", "ok", "pass", "reachable": return true
        case "fail", "failure", "unreachable": return false
        default: throw error("\(what): 'expect' must be success or fail, not '\(t)'", at: keyNode(name))
        }
    }

    /// A duration (`within`, `timeout`) as `parseDuration` reads it, up to a day.
    func duration(_ name: String, example: String) throws -> Duration? {
        guard let (k, v) = given[name] else { return nil }
        guard let d = reader.stepDuration(v) else {
            throw error("\(what): '\(name)' needs a number with a unit (\(durationUnits)) up to 24h, such as `\(name): \(example)`; found \(reader.describe(v))", at: k)
        }
        return d
    }

    /// A list of texts, or one text as a list of one.
    func list(_ name: String, example: String) throws -> [String]? {
        guard let (k, v) = given[name] else { return nil }
        return try reader.textList(v, key: k, what: "\(what): '\(name)'", example: example)
    }

    /// `expect:` of a lookup (`resolve`, `dig`): addresses, `nxdomain` or `any`.
    func resolveExpectation() throws -> ResolveExpectation {
        guard let (k, v) = given["expect"] else { return .anyAddress }
        if v.sequence != nil {
            let list = try reader.textList(v, key: k, what: "\(what): 'expect'", example: "expect: [10.0.0.80]")
            guard !list.isEmpty else { throw error("\(what): 'expect' is an empty list: give addresses or nxdomain", at: k) }
            return .addresses(list)
        }
        let t = try reader.text(v, key: k, what: "\(what): 'expect'", example: "expect: 10.0.0.80") ?? ""
        switch t.lowercased() {
        case "nxdomain": return .nxdomain
        case "any": return .anyAddress
        default: return .addresses([t])
        }
    }

    /// `expect:` of a path (`path`, `traceroute`): the routers crossed, as a list or one
    /// name, or one of `outcomes` (`blackhole`, `loop`) where the kind takes them.
    func expectedRouters(outcomes: [String]) throws -> (routers: [String], outcome: String?) {
        guard let (k, v) = given["expect"] else {
            throw error("\(what) needs 'expect', the routers crossed, such as `expect: [r1, r2]`")
        }
        if let s = v.scalar {
            if ["blackhole", "loop"].contains(s.string) {
                guard outcomes.contains(s.string) else { throw error("\(what): 'expect' must list the routers crossed, such as [r1, r2]", at: k) }
                return ([], s.string)
            }
            return ([s.string], nil)
        }
        return (try reader.textList(v, key: k, what: "\(what): 'expect'", example: "expect: [r1, r2]"), nil)
    }
}

/// What `StepKind.validate` checks a step against: the validated topology, with helpers
/// for the checks several kinds share.
struct StepValidation {
    let topology: ValidatedTopology
    /// "step 'ping'".
    let what: String
    let location: SourceLocation?

    /// An error about the step, at its line: "step 'ping': MESSAGE".
    func error(_ message: String) -> TopologyError {
        TopologyError("\(what): \(message)", at: location)
    }

    /// `name` (given as `role:`) is a node; with `hostOnly`, one that runs programs.
    func node(_ name: String, role: String, hostOnly: Bool = true) throws {
        let hostNames = topology.hosts.map(\.name).joined(separator: " ")
        switch topology.kind(of: name) {
        case nil:
            throw error("'\(role): \(name)' is not a node of this topology (hosts: \(hostNames))")
        case .switch? where hostOnly:
            throw error("'\(role): \(name)' is a switch; programs run only in hosts (\(hostNames))")
        default: break
        }
    }

    func isAddress(_ text: String) -> Bool { IPv4Address(text) != nil || isIPv6Address(text) }

    /// `to:` of `ping` and `tcp`: a node with an address, or an address.
    func target(_ to: String) throws {
        if topology.kind(of: to) == nil && !isAddress(to) {
            throw error("'to: \(to)' is neither a host of this topology nor an IP address")
        }
        if topology.kind(of: to) == .switch {
            throw error("'to: \(to)' is a switch, which has no address; name a host or an address")
        }
    }

    /// `to:` of the routing checks: a host (or router) or an address.
    func hostOrAddress(_ to: String) throws {
        guard isAddress(to) || topology.host(to) != nil else {
            throw error("'to: \(to)' is neither a host of this topology nor an IP address")
        }
    }

    /// A TCP port, named as `label` ("port", "wait_for_port").
    func port(_ port: Int, label: String) throws {
        if !(1...65535).contains(port) {
            throw error("\(label) \(port) is not a TCP port (1-65535)")
        }
    }

    /// A command that is not empty, given as `key:`.
    func command(_ command: String, key: String, what wanted: String) throws {
        if command.trimmingCharacters(in: .whitespaces).isEmpty {
            throw error("'\(key)' is empty: \(wanted)")
        }
    }

    /// A lookup's name and expected answers (`resolve`, `dig`); `reverse` (PTR) takes an
    /// address as the name and anything as answers; `namesAnswer` takes names as answers.
    func lookup(_ name: String, _ expect: ResolveExpectation, reverse: Bool = false, namesAnswer: Bool = false) throws {
        if !isDNSName(name) && !(reverse && isAddress(name)) {
            throw error("name '\(name)' is not a DNS name")
        }
        if case .addresses(let list) = expect, !reverse {
            for a in list where !isAddress(a) && !(namesAnswer && isDNSName(a)) {
                throw error("expect '\(a)' is not an address; write an address, a list of them, or nxdomain")
            }
        }
    }

    /// Expected hops that must be routers.
    func routers(_ hops: [String]) throws {
        for r in hops where topology.host(r)?.isRouter != true {
            throw error("'\(r)' in expect is not a router of this topology (routers: \(topology.routers.map(\.name).joined(separator: " ")))")
        }
    }
}
