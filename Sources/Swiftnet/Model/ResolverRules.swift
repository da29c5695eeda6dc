/// A resolver file as the programs that copy one read it: kubelet (nameservers add up, the
/// last `search` line wins with trailing dots dropped, the last `options` line wins,
/// `domain` is not read) and glibc (the last of `domain` and `search` wins).
public struct ResolvConfFile: Hashable, Sendable {
    public var nameservers: [String] = []
    /// The search list as kubelet reads it (`search` lines only).
    public var search: [String] = []
    /// The search list as glibc's resolver reads it (`domain` or `search`, the last one).
    public var resolverSearch: [String] = []
    public var options: [DNSOption] = []

    public init(nameservers: [String] = [], search: [String] = [], options: [DNSOption] = []) {
        self.nameservers = nameservers
        self.search = search
        self.resolverSearch = search
        self.options = options
    }

    public init(text: String) {
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let key = words.first, !key.hasPrefix("#"), !key.hasPrefix(";") else { continue }
            switch key {
            case "nameserver" where words.count > 1:
                nameservers.append(words[1])
            case "search":
                search = words.dropFirst().map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
                resolverSearch = Array(words.dropFirst())
            case "domain" where words.count > 1:
                resolverSearch = [words[1]]
            case "options":
                options = words.dropFirst().map(DNSOption.init(text:))
            default:
                continue
            }
        }
    }
}

extension DNSOption {
    /// "ndots:5" or a flag such as "edns0".
    public init(text: String) {
        let kv = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        self.init(kv[0], kv.count > 1 ? kv[1] : nil)
    }
}

/// What goes into a host's resolver configuration besides its policy.
public struct ResolverInputs: Hashable, Sendable {
    /// The host's own `nameservers`, `search` (`searches`) and `options`, as given
    /// (nameservers already addresses).
    public var nameservers: [String] = []
    public var search: [String] = []
    public var options: [DNSOption] = []
    /// The machine's resolver file (kubelet's `--resolv-conf`, dockerd's host file).
    public var machine = ResolvConfFile()
    /// The topology's `domain` (the embedded policy's search list).
    public var domain: String? = nil
    /// The host's Kubernetes namespace.
    public var namespace = "default"
    /// The cluster's domain and DNS service addresses (`cluster:`); nil without one.
    public var clusterDomain: String? = nil
    public var clusterDNS: [String] = []

    public init(nameservers: [String] = [], search: [String] = [], options: [DNSOption] = [],
                machine: ResolvConfFile = ResolvConfFile(), domain: String? = nil, namespace: String = "default",
                clusterDomain: String? = nil, clusterDNS: [String] = []) {
        self.nameservers = nameservers
        self.search = search
        self.options = options
        self.machine = machine
        self.domain = domain
        self.namespace = namespace
        self.clusterDomain = clusterDomain
        self.clusterDNS = clusterDNS
    }
}

/// A host's resolver configuration: what its resolv.conf says, the comments written
/// above it, and the warnings the run prints (Kubernetes records them as events).
public struct ResolverConfig: Hashable, Sendable {
    public var nameservers: [String] = []
    public var search: [String] = []
    public var options: [DNSOption] = []
    public var comments: [String] = []
    public var warnings: [String] = []
    /// The policy applied, when it is not the one asked for (ClusterFirst without a
    /// cluster DNS falls back to Default).
    public var appliedPolicy: DNSPolicy? = nil
}

/// The rules by which kubelet, dockerd and swiftnet's own policies make a resolver
/// configuration. One pure function of the policy and its inputs; `ResolverRulesTests`
/// checks each rule.
public enum ResolverRules {
    /// Kubernetes' limits (validation.MaxDNSNameservers, MaxDNSSearchPaths and
    /// MaxDNSSearchListChars with ExpandedDNSConfig, which is on by default since 1.28),
    /// and the longest search domain kubelet keeps (a DNS-1123 subdomain).
    public static let maxNameservers = 3
    public static let maxSearchPaths = 32
    public static let maxSearchListCharacters = 2048
    public static let maxSearchDomainLength = 253
    /// What a Kubernetes pod with a cluster DNS gets as its options.
    public static let clusterOptions = [DNSOption("ndots", "5")]
    /// Docker's default nameservers where none of the machine's is left (Google's).
    public static let dockerFallbackNameservers = ["8.8.8.8", "8.8.4.4"]
    /// The embedded server's address inside every host, as Docker's inside containers.
    public static let embeddedAddress = "127.0.0.11"

    public static func configure(_ policy: DNSPolicy, _ input: ResolverInputs) -> ResolverConfig {
        var out = ResolverConfig()
        switch policy {
        case .embedded:
            out.nameservers = [embeddedAddress]
            out.search = input.search.isEmpty ? input.domain.map { [$0] } ?? [] : input.search
            out.options = input.options
        case .host:
            out.nameservers = input.nameservers.isEmpty ? input.machine.nameservers.filter { !isLoopback($0) } : input.nameservers
            out.search = input.search.isEmpty ? input.machine.resolverSearch : input.search
            out.options = input.options
            for o in input.machine.options where !out.options.contains(where: { $0.name == o.name }) { out.options.append(o) }
        case .none:
            out.nameservers = input.nameservers
            out.search = input.search
            out.options = input.options
        case .clusterFirst, .clusterFirstWithHostNet, .kubeDefault, .kubeNone:
            out = kubelet(policy, input)
        case .docker:
            out.nameservers = [embeddedAddress]
            let upstreams = input.nameservers.isEmpty ? input.machine.nameservers : input.nameservers
            out.comments.append("upstreams of the embedded server, as dockerd's ExtServers: "
                                + (upstreams.isEmpty ? "none" : upstreams.joined(separator: " "))
                                + " (nothing leaves the emulated network: it answers NXDOMAIN for names it does not know)")
            out.search = input.search.isEmpty ? input.machine.resolverSearch : input.search
            out.options = input.options.isEmpty ? input.machine.options.filter { $0.name != "ndots" } : input.options
            if !input.options.contains(where: { $0.name == "ndots" }) {
                out.options.removeAll { $0.name == "ndots" }
                out.options.append(DNSOption("ndots", "0"))
            }
        case .dockerBridge:
            out.nameservers = input.nameservers.isEmpty ? input.machine.nameservers.filter { !isLoopback($0) } : input.nameservers
            if out.nameservers.isEmpty {
                out.nameservers = dockerFallbackNameservers
                out.comments.append("no nameserver of the machine's is left without loopback ones: dockerd's defaults")
            }
            out.search = input.search.isEmpty ? input.machine.resolverSearch : input.search
            out.options = input.options.isEmpty ? input.machine.options : input.options
        }
        return out
    }

    /// kubelet's GetPodDNS: the base by policy, the pod's dnsConfig appended, the limits.
    static func kubelet(_ policy: DNSPolicy, _ input: ResolverInputs) -> ResolverConfig {
        var out = ResolverConfig()
        var applied = policy
        if policy == .clusterFirst || policy == .clusterFirstWithHostNet {
            if input.clusterDNS.isEmpty {
                out.warnings.append("MissingClusterDNS: there is no cluster DNS (`cluster: {dns: ADDRESS}`), so the "
                                    + "\(policy.rawValue) policy cannot be applied. Falling back to the Default policy.")
                applied = .kubeDefault
                out.appliedPolicy = .kubeDefault
            } else {
                out.nameservers = input.clusterDNS
                var search = input.machine.search
                if let d = input.clusterDomain, !d.isEmpty {
                    search = uniqued(["\(input.namespace).svc.\(d)", "svc.\(d)", d] + search)
                }
                out.search = search
                out.options = clusterOptions
            }
        }
        if applied == .kubeDefault {
            out.nameservers = input.machine.nameservers
            out.search = input.machine.search
            out.options = input.machine.options
        }
        // dnsConfig: nameservers and searches appended without repeats, options merged by
        // name with the pod's value winning (in the order first seen).
        out.nameservers = uniqued(out.nameservers + input.nameservers)
        out.search = uniqued(out.search + input.search)
        for o in input.options {
            if let i = out.options.firstIndex(where: { $0.name == o.name }) { out.options[i] = o } else { out.options.append(o) }
        }
        if out.nameservers.count > maxNameservers {
            out.nameservers = Array(out.nameservers.prefix(maxNameservers))
            out.warnings.append("DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, "
                                + "the applied nameserver line is: \(out.nameservers.joined(separator: " "))")
        }
        let (search, cut) = fitSearch(out.search)
        out.search = search
        if cut {
            out.warnings.append("DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, "
                                + "the applied search line is: \(search.joined(separator: " "))")
        }
        return out
    }

    /// kubelet's search-line limits, in its order: at most 32 domains, then no domain over
    /// 253 characters, then the line cut from its end to 2048 characters. True when
    /// anything was cut.
    public static func fitSearch(_ given: [String]) -> ([String], Bool) {
        var search = given
        var cut = false
        if search.count > maxSearchPaths {
            search = Array(search.prefix(maxSearchPaths))
            cut = true
        }
        let short = search.filter { $0.utf8.count <= maxSearchDomainLength }
        if short.count != search.count { cut = true }
        search = short
        var length = search.isEmpty ? 0 : search.reduce(search.count - 1) { $0 + $1.utf8.count }
        while length > maxSearchListCharacters, let last = search.popLast() {
            length -= last.utf8.count + (search.isEmpty ? 0 : 1)
            cut = true
        }
        return (search, cut)
    }

    /// The items in their first order, each once.
    public static func uniqued(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    /// 127.0.0.0/8 or ::1: a nameserver that, inside a host, is the host itself.
    public static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address == "0:0:0:0:0:0:0:1"
    }

    /// The resolv.conf text of a configuration.
    public static func text(_ config: ResolverConfig, policy: DNSPolicy) -> String {
        var lines = ["# written by swiftnet for this emulated host (policy: \(policy.rawValue)"
                     + (config.appliedPolicy.map { ", applied as \($0.rawValue)" } ?? "") + ")"]
        for c in config.comments { lines.append("# \(c)") }
        for s in config.nameservers { lines.append("nameserver \(s)") }
        if !config.search.isEmpty { lines.append("search \(config.search.joined(separator: " "))") }
        if !config.options.isEmpty { lines.append("options \(config.options.map(\.text).joined(separator: " "))") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ResolverRules {
    /// The names a stub resolver asks for `name`, in order, as glibc's res_search does: a
    /// name with a trailing dot only as it is; one with at least `ndots` dots first as it
    /// is, then with each search domain; one with fewer, first with each search domain,
    /// then as it is.
    public static func searchCandidates(name: String, search: [String], ndots: Int) -> [String] {
        if name.hasSuffix(".") { return [String(name.dropLast())] }
        let dots = name.filter { $0 == "." }.count
        let expanded = search.map { d in "\(name).\(d.hasSuffix(".") ? String(d.dropLast()) : d)" }
        return dots >= ndots ? [name] + expanded : expanded + [name]
    }

    /// The `ndots` a resolver uses with these options (glibc's default 1, at most 15).
    public static func ndots(_ options: [DNSOption]) -> Int {
        guard let v = options.last(where: { $0.name == "ndots" })?.value, let n = Int(v) else { return 1 }
        return min(max(n, 0), 15)
    }
}
