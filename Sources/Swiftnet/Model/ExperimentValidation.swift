import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// True for text that is an IPv6 address (no prefix).
func isIPv6Address(_ text: String) -> Bool { IPv6Address(text) != nil }

/// True for a DNS name: dot-separated labels of letters, digits, '-' and '_', each
/// 1 to 63 bytes, 253 in all; a trailing dot is allowed.
func isDNSName(_ text: String) -> Bool {
    var t = Substring(text)
    if t.hasSuffix(".") { t = t.dropLast() }
    guard !t.isEmpty, t.utf8.count <= 253 else { return false }
    return t.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
        !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-")
            && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }
}

extension Topology {
    /// Checks `domain`, `records` and every host's `dns`, and gives each host the
    /// resolver configuration it will get.
    func resolveDNS(into out: inout ValidatedTopology) throws {
        if let d = domain {
            guard isDNSName(d), !d.hasPrefix(".") else {
                throw TopologyError("domain '\(d)' is not a DNS name such as lab.test", at: location)
            }
            var lower = d.lowercased()
            if lower.hasSuffix(".") { lower.removeLast() }
            out.domain = lower
        }
        let nodeNames = Set(out.nodeNames)
        var recordNames: [String: SourceLocation?] = [:]
        for r in records {
            guard isDNSName(r.name) else {
                throw TopologyError("record '\(r.name)' is not a DNS name such as www.lab.test", at: r.location)
            }
            let value = r.value
            let address = IPAddress(value)
            guard address != nil || isDNSName(value) else {
                throw TopologyError("record '\(r.name)' has value '\(value)': give an IPv4 or IPv6 address (A/AAAA) or a name (CNAME)", at: r.location)
            }
            var name = r.name.lowercased()
            if name.hasSuffix(".") { name.removeLast() }
            if let first = recordNames[name] {
                throw TopologyError("record '\(r.name)' is given twice\(first.map { " (first at \($0))" } ?? ""): give each name once", at: r.location)
            }
            recordNames[name] = r.location
            var resolved = ResolvedRecord(name: name, value: address.map { .address($0) } ?? .alias(value.lowercased()), location: r.location)
            // A CNAME to a bare node name means the node.
            if nodeNames.contains(value), let d = out.domain { resolved.value = .alias("\(value).\(d)") }
            out.records.append(resolved)
        }
        let specs = Dictionary(hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for i in out.hosts.indices {
            let name = out.hosts[i].name
            let given = specs[name]?.dns ?? DNSSettings()
            let loc = given.location ?? specs[name]?.location
            let policy = given.policy ?? .embedded
            var servers: [IPAddress] = []
            for s in given.nameservers {
                if let h = out.host(s) {
                    servers.append(.v4(h.ip.address))
                } else if let a = IPAddress(s) {
                    servers.append(a)
                } else {
                    throw TopologyError("host '\(name)': nameserver '\(s)' is neither an address nor a host of this topology", at: loc)
                }
            }
            if policy == .embedded {
                if !servers.isEmpty {
                    throw TopologyError("host '\(name)': dns policy embedded uses the embedded server; to list nameservers use policy none", at: loc)
                }
                servers = [ResolvedDNS.embeddedServer]
            }
            if policy == .none && servers.isEmpty {
                throw TopologyError("host '\(name)': dns policy none needs nameservers, such as `nameservers: [10.0.0.53]` or the name of a dns node", at: loc)
            }
            if servers.count > 3 {
                throw TopologyError("host '\(name)' has \(servers.count) nameservers; the resolver uses at most 3", at: loc)
            }
            var search = given.search
            if search.isEmpty, policy == .embedded, let d = out.domain { search = [d] }
            for s in search where !isDNSName(s) {
                throw TopologyError("host '\(name)': search domain '\(s)' is not a DNS name such as lab.test", at: loc)
            }
            for o in given.options {
                guard !o.name.isEmpty, o.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }),
                      o.value.map({ !$0.isEmpty && !$0.contains(" ") }) ?? true else {
                    throw TopologyError("host '\(name)': resolver option '\(o.text)' is not an option such as ndots: 5, timeout: 1 or attempts: 2", at: loc)
                }
                if ["ndots", "timeout", "attempts"].contains(o.name) {
                    guard let v = o.value, let n = Int(v), n >= 0, n <= 30 else {
                        throw TopologyError("host '\(name)': resolver option '\(o.name)' needs a whole number from 0 to 30, not '\(o.value ?? "")'", at: loc)
                    }
                }
            }
            out.hosts[i].dns = ResolvedDNS(policy: policy, nameservers: servers, search: search, options: given.options)
        }
    }

    /// Checks the experiment's steps against the validated nodes and links, each by its kind.
    func checkedExperiment(against topo: ValidatedTopology) throws -> [ExperimentStep] {
        for step in experiment {
            try step.action.step.validate(StepValidation(topology: topo, what: "step '\(step.action.kind)'", location: step.location))
        }
        return experiment
    }
}
