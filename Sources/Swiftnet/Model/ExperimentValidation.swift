import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// True for text that is an IPv6 address (no prefix).
func isIPv6Address(_ text: String) -> Bool { IPv6Address(text) != nil }

/// True for a Kubernetes namespace name (an RFC 1123 label): lowercase letters, digits
/// and '-', 1 to 63, starting and ending with a letter or digit.
func isDNSLabel(_ text: String) -> Bool {
    let u = Array(text.utf8)
    func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    guard !u.isEmpty, u.count <= 63, alnum(u.first!), alnum(u.last!) else { return false }
    return u.allSatisfy { alnum($0) || $0 == 45 }
}

/// Dot-separated DNS labels of any total length (kubelet drops a search domain over 253
/// characters itself).
func isDNSLabels(_ text: String) -> Bool {
    var t = Substring(text)
    if t.hasSuffix(".") { t = t.dropLast() }
    guard !t.isEmpty else { return false }
    return t.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSName(String($0)) }
}

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
        let machine = try clusterAndMachineFile(into: &out)
        for i in out.hosts.indices {
            let name = out.hosts[i].name
            let spec = specs[name]
            let given = spec?.dns ?? DNSSettings()
            let loc = given.location ?? spec?.location
            if let ns = spec?.namespace {
                guard isDNSLabel(ns) else {
                    throw TopologyError("host '\(name)': namespace '\(ns)' is not a Kubernetes namespace name: 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit", at: spec?.location)
                }
                out.hosts[i].namespace = ns
            }
            let policy = given.policy ?? (out.clusterDomain != nil ? .clusterFirst : .embedded)
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
            let distinct = ResolverRules.uniqued(servers.map(\.description))
            if distinct.count < servers.count {
                out.warnings.append(warning("host '\(name)': a nameserver is given more than once; each is written once", at: loc))
            }
            if policy == .embedded && !servers.isEmpty {
                throw TopologyError("host '\(name)': dns policy embedded uses the embedded server; to list nameservers use policy none", at: loc)
            }
            if (policy == .none || policy == .kubeNone) && servers.isEmpty {
                throw TopologyError("host '\(name)': dns policy \(policy.rawValue) needs nameservers, such as `nameservers: [10.0.0.53]` or the name of a dns node", at: loc)
            }
            if distinct.count > ResolverRules.maxNameservers {
                throw TopologyError("host '\(name)' has \(distinct.count) nameservers; the resolver uses at most \(ResolverRules.maxNameservers)", at: loc)
            }
            for s in given.search {
                // kubelet drops a search domain over 253 characters (with a warning) rather
                // than refusing it; swiftnet's own policies refuse it.
                guard policy.isKubernetes ? isDNSLabels(s) : isDNSName(s) else {
                    throw TopologyError("host '\(name)': search domain '\(s)' is not a DNS name such as lab.test", at: loc)
                }
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
            var search = given.search
            if !policy.isKubernetes {
                search = ResolverRules.uniqued(given.search.map { $0.lowercased() })
                if search.count < given.search.count {
                    out.warnings.append(warning("host '\(name)': a search domain is given more than once; each is written once", at: loc))
                }
            }
            let input = ResolverInputs(nameservers: distinct, search: search, options: given.options, machine: machine,
                                       domain: out.domain, namespace: out.hosts[i].namespace,
                                       clusterDomain: out.clusterDomain, clusterDNS: out.clusterDNS.map(\.description))
            let config = ResolverRules.configure(policy, input)
            for w in config.warnings { out.warnings.append(warning("host '\(name)': \(w)", at: loc)) }
            var dns = ResolvedDNS(policy: policy, nameservers: [], search: config.search, options: config.options,
                                  comments: config.comments, appliedPolicy: config.appliedPolicy,
                                  hostsFileNamesAll: [.embedded, .host, .none].contains(policy))
            for text in config.nameservers {
                // A machine's nameserver that is no address (a scoped IPv6 one, say) is left out.
                guard let a = IPAddress(text) else {
                    dns.comments.append("nameserver \(text) of the machine's file left out: not an address swiftnet can write")
                    continue
                }
                dns.nameservers.append(a)
            }
            let embedded = [ResolvedDNS.embeddedServer] + out.clusterDNS
            dns.embeddedAddresses = dns.nameservers.filter { embedded.contains($0) }
            if policy == .docker || policy == .embedded { dns.embeddedAddresses = [ResolvedDNS.embeddedServer] }
            out.hosts[i].dns = dns
        }
    }

    /// Checks `cluster:` into `out` and reads the machine's resolver file (the cluster's
    /// `resolv_conf`, else /etc/resolv.conf, which may be missing).
    func clusterAndMachineFile(into out: inout ValidatedTopology) throws -> ResolvConfFile {
        let machine = machineResolvConf ?? (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        guard let c = cluster else { return ResolvConfFile(text: machine) }
        var domain = c.domain.lowercased()
        if domain.hasSuffix(".") { domain.removeLast() }
        guard isDNSName(domain), !domain.hasPrefix(".") else {
            throw TopologyError("cluster domain '\(c.domain)' is not a DNS name such as cluster.local", at: c.location)
        }
        out.clusterDomain = domain
        for text in c.dns {
            guard let a = IPAddress(text) else {
                throw TopologyError("cluster dns '\(text)' is not an address: give the cluster DNS service's address, such as 10.96.0.10", at: c.location)
            }
            if let h = out.hosts.first(where: { $0.ip.address.description == text || $0.ip6?.address.description == text }) {
                throw TopologyError("cluster dns \(text) is host '\(h.name)''s address: give the DNS service an address of its own, such as 10.96.0.10", at: c.location)
            }
            if !out.clusterDNS.contains(a) { out.clusterDNS.append(a) }
        }
        if out.clusterDNS.count > ResolverRules.maxNameservers {
            throw TopologyError("cluster dns lists \(out.clusterDNS.count) addresses; a pod's resolver uses at most \(ResolverRules.maxNameservers)", at: c.location)
        }
        guard let path = c.resolvConf else { return ResolvConfFile(text: machine) }
        // A relative path is the topology file's neighbour.
        var resolved = path
        if !path.hasPrefix("/"), let file = c.location?.file, file.contains("/") {
            resolved = (file as NSString).deletingLastPathComponent + "/" + path
        }
        guard let text = try? String(contentsOfFile: resolved, encoding: .utf8) else {
            throw TopologyError("cluster resolv_conf '\(path)' cannot be read: give the path of a resolver file, as kubelet's --resolv-conf", at: c.location)
        }
        return ResolvConfFile(text: text)
    }

    func warning(_ text: String, at location: SourceLocation?) -> String {
        location.map { "\($0): \(text)" } ?? text
    }

    /// Checks the experiment's steps against the validated nodes and links, each by its kind.
    func checkedExperiment(against topo: ValidatedTopology) throws -> [ExperimentStep] {
        for step in experiment {
            try step.action.step.validate(StepValidation(topology: topo, what: "step '\(step.action.kind)'", location: step.location))
        }
        return experiment
    }
}
