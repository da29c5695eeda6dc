/// How a host's `/etc/resolv.conf` is made, after Kubernetes' pod `dnsPolicy`.
public enum DNSPolicy: String, Hashable, Sendable, Codable, CaseIterable {
    /// Point the host at the run's embedded DNS server (127.0.0.11 inside every host),
    /// which answers for every node and the topology's `records`; with a `domain`, that
    /// domain is the search list. The default: emulated hosts have no route to the
    /// machine's own nameservers, and a resolver that waits for them stalls programs
    /// (a server's reverse lookup of its own address, say) for seconds.
    case embedded
    /// Copy the machine's resolv.conf, without loopback nameservers (they would be the
    /// host's own loopback, where nothing listens).
    case host
    /// Exactly the nameservers, search domains and options given.
    case none
}

/// Per-host DNS settings as written (`dns:` on a host in YAML, `dns:` in the DSL).
/// Unset fields take the policy's defaults.
public struct DNSSettings: Hashable, Sendable, Codable {
    public var policy: DNSPolicy?
    /// Addresses, or names of nodes of the topology (a `dns` node, say).
    public var nameservers: [String]
    public var search: [String]
    /// resolv.conf options in order: `ndots: 5` gives `options ndots:5`; a nil value
    /// is a flag such as `edns0`.
    public var options: [DNSOption]
    public var location: SourceLocation?

    public init(policy: DNSPolicy? = nil, nameservers: [String] = [], search: [String] = [],
                options: [DNSOption] = [], location: SourceLocation? = nil) {
        self.policy = policy
        self.nameservers = nameservers
        self.search = search
        self.options = options
        self.location = location
    }
}

/// One resolv.conf option: `ndots:5`, or a flag such as `rotate`.
public struct DNSOption: Hashable, Sendable, Codable {
    public var name: String
    public var value: String?
    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
    /// As resolv.conf writes it.
    public var text: String { value.map { "\(name):\($0)" } ?? name }
}

/// A name the topology's DNS answers for (`records:` at the top level): an address
/// (A or AAAA) or another name (CNAME).
public struct DNSRecordSpec: Hashable, Sendable, Codable {
    public var name: String
    public var value: String
    public var location: SourceLocation?
    public init(name: String, value: String, location: SourceLocation? = nil) {
        self.name = name
        self.value = value
        self.location = location
    }
}

/// The resolver configuration a host gets, checked: what its resolv.conf says.
public struct ResolvedDNS: Hashable, Sendable, Codable {
    public var policy: DNSPolicy
    /// Nameserver addresses (node names already replaced by their address).
    public var nameservers: [IPAddress]
    public var search: [String]
    public var options: [DNSOption]

    /// The address of the embedded server, inside every host (on its loopback), as
    /// Docker's embedded DNS uses 127.0.0.11 inside every container.
    public static let embeddedServer = IPAddress.v4(IPv4Address(0x7F00_000B))
    /// `embeddedServer` as text: "127.0.0.11".
    public static let embeddedServerAddress = embeddedServer.description

    /// The text of the host's `/etc/resolv.conf`; `machine` is the machine's own file,
    /// used by the `host` policy.
    public func resolvConf(machine: String) -> String {
        var lines = ["# written by swiftnet for this emulated host (policy: \(policy.rawValue))"]
        var servers = nameservers.map(\.description)
        var search = self.search
        var options = self.options
        if policy == .host {
            var machineServers: [String] = []
            var machineSearch: [String] = []
            var machineOptions: [DNSOption] = []
            for raw in machine.split(separator: "\n") {
                let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard let key = words.first, !key.hasPrefix("#"), !key.hasPrefix(";") else { continue }
                switch key {
                case "nameserver" where words.count > 1:
                    if !Self.isLoopback(words[1]) { machineServers.append(words[1]) }
                case "search", "domain":
                    machineSearch = Array(words.dropFirst())
                case "options":
                    for w in words.dropFirst() {
                        let kv = w.split(separator: ":", maxSplits: 1).map(String.init)
                        machineOptions.append(DNSOption(kv[0], kv.count > 1 ? kv[1] : nil))
                    }
                default: continue
                }
            }
            servers = servers.isEmpty ? machineServers : servers
            search = search.isEmpty ? machineSearch : search
            for o in machineOptions where !options.contains(where: { $0.name == o.name }) { options.append(o) }
        }
        for s in servers { lines.append("nameserver \(s)") }
        if !search.isEmpty { lines.append("search \(search.joined(separator: " "))") }
        if !options.isEmpty { lines.append("options \(options.map(\.text).joined(separator: " "))") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// 127.0.0.0/8 or ::1: a nameserver that, inside a host, is the host itself.
    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address == "0:0:0:0:0:0:0:1"
    }
}
