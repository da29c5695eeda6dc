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

    /// Checks the experiment's steps against the validated nodes and links.
    func checkedExperiment(against topo: ValidatedTopology) throws -> [ExperimentStep] {
        let hostNames = topo.hosts.map(\.name).joined(separator: " ")
        for step in experiment {
            let what = "step '\(step.action.kind)'"
            for ref in step.action.nodeReferences {
                switch topo.kind(of: ref.name) {
                case nil:
                    throw TopologyError("\(what): '\(ref.role): \(ref.name)' is not a node of this topology (hosts: \(hostNames))", at: step.location)
                case .switch? where ref.hostOnly:
                    throw TopologyError("\(what): '\(ref.role): \(ref.name)' is a switch; programs run only in hosts (\(hostNames))", at: step.location)
                default: break
                }
            }
            switch step.action {
            case let .ping(_, to, _), let .tcp(_, to, _, _):
                if topo.kind(of: to) == nil && IPv4Address(to) == nil && !isIPv6Address(to) {
                    throw TopologyError("\(what): 'to: \(to)' is neither a host of this topology nor an IP address", at: step.location)
                }
                if topo.kind(of: to) == .switch {
                    throw TopologyError("\(what): 'to: \(to)' is a switch, which has no address; name a host or an address", at: step.location)
                }
                if case let .tcp(_, _, port, _) = step.action, !(1...65535).contains(port) {
                    throw TopologyError("\(what): port \(port) is not a TCP port (1-65535)", at: step.location)
                }
            case let .start(_, command, port):
                if command.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw TopologyError("\(what): 'run' is empty: give the command to start", at: step.location)
                }
                if let p = port, !(1...65535).contains(p) {
                    throw TopologyError("\(what): wait_for_port \(p) is not a TCP port (1-65535)", at: step.location)
                }
            case let .http(_, url, status, _):
                guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > 8, !url.contains(" ") else {
                    throw TopologyError("\(what): url '\(url)' is not an http:// or https:// URL", at: step.location)
                }
                if !(100...599).contains(status) {
                    throw TopologyError("\(what): expect_status \(status) is not an HTTP status (100-599)", at: step.location)
                }
            case let .resolve(_, name, expect), let .dig(_, _, name, _, expect):
                let isReverse: Bool
                if case let .dig(_, server, _, type, _) = step.action {
                    if topo.kind(of: server) != .host && IPv4Address(server) == nil && !isIPv6Address(server)
                        && server != "embedded" {
                        throw TopologyError("\(what): 'server: \(server)' is not a host of this topology, an address or 'embedded'", at: step.location)
                    }
                    if !["A", "AAAA", "PTR", "CNAME", "ANY", "TXT", "SOA", "NS"].contains(type) {
                        throw TopologyError("\(what): type '\(type)' is not one of A, AAAA, PTR, CNAME, ANY, TXT, SOA, NS", at: step.location)
                    }
                    isReverse = type == "PTR"
                } else {
                    isReverse = false
                }
                if !isDNSName(name) && !(isReverse && (IPv4Address(name) != nil || isIPv6Address(name))) {
                    throw TopologyError("\(what): name '\(name)' is not a DNS name", at: step.location)
                }
                if case .addresses(let list) = expect, !isReverse {
                    for a in list where IPv4Address(a) == nil && !isIPv6Address(a) && !(step.action.kind == "dig" && isDNSName(a)) {
                        throw TopologyError("\(what): expect '\(a)' is not an address; write an address, a list of them, or nxdomain", at: step.location)
                    }
                }
            case let .run(_, command, _, _):
                if command.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw TopologyError("\(what): 'cmd' is empty: give a shell command", at: step.location)
                }
            case let .link(a, b, _):
                let joined = topo.links.contains { ($0.a.node == a && $0.b.node == b) || ($0.a.node == b && $0.b.node == a) }
                if !joined {
                    throw TopologyError("\(what): there is no link between '\(a)' and '\(b)'", at: step.location)
                }
            case .sleep:
                break
            case let .route(_, to, via, dev, _):
                guard IPv4Address(to) != nil || isIPv6Address(to) || topo.host(to) != nil else {
                    throw TopologyError("\(what): 'to: \(to)' is neither a host of this topology nor an IP address", at: step.location)
                }
                if let via, IPv4Address(via) == nil && !isIPv6Address(via) {
                    throw TopologyError("\(what): expect_via '\(via)' is not an IP address", at: step.location)
                }
                if let dev, case let .route(on, _, _, _, _) = step.action, topo.host(on)?.interfaces.contains(dev) != true {
                    let list = topo.host(on)?.interfaces.joined(separator: " ") ?? ""
                    throw TopologyError("\(what): '\(on)' has no interface '\(dev)' (it has \(list))", at: step.location)
                }
            case let .path(_, to, _), let .traceroute(_, to, _):
                guard IPv4Address(to) != nil || isIPv6Address(to) || topo.host(to) != nil else {
                    throw TopologyError("\(what): 'to: \(to)' is neither a host of this topology nor an IP address", at: step.location)
                }
                var hops: [String] = []
                if case let .path(_, _, .hops(h)) = step.action { hops = h }
                if case let .traceroute(_, _, h) = step.action { hops = h }
                for r in hops where topo.host(r)?.isRouter != true {
                    throw TopologyError("\(what): '\(r)' in expect is not a router of this topology (routers: \(topo.routers.map(\.name).joined(separator: " ")))", at: step.location)
                }
            case .converge:
                if topo.routers.isEmpty {
                    throw TopologyError("\(what): there are no routers to converge", at: step.location)
                }
            }
        }
        return experiment
    }
}
