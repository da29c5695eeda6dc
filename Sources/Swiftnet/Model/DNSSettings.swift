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
    /// Kubernetes' default: the cluster DNS (`cluster: {dns: ...}`), the search list
    /// NAMESPACE.svc.DOMAIN svc.DOMAIN DOMAIN and the machine's, `ndots:5`; the host's
    /// settings appended as a pod's dnsConfig. Without a cluster DNS, `Default`.
    case clusterFirst = "ClusterFirst"
    /// The same for a pod on the node's network; swiftnet's hosts all have their own.
    case clusterFirstWithHostNet = "ClusterFirstWithHostNet"
    /// Kubernetes' `Default`: the machine's file (kubelet's --resolv-conf) as it is, the
    /// host's settings appended.
    case kubeDefault = "Default"
    /// Kubernetes' `None`: only the host's settings (a dnsConfig).
    case kubeNone = "None"
    /// A container on a Docker user-defined network: `nameserver 127.0.0.11` (the embedded
    /// server), the machine's search list and options, `ndots:0` unless the host sets ndots.
    case docker
    /// A container on Docker's default bridge: the machine's file without loopback
    /// nameservers (Google's if none is left).
    case dockerBridge = "docker-bridge"

    /// The policies whose rules are kubelet's.
    public var isKubernetes: Bool { [.clusterFirst, .clusterFirstWithHostNet, .kubeDefault, .kubeNone].contains(self) }
}

/// A Kubernetes cluster as written (`cluster:` at the top level): its domain, the address
/// of its DNS service (answered by the embedded server) and the file kubelet reads as
/// the node's resolver configuration.
public struct ClusterSpec: Hashable, Sendable, Codable {
    public var domain: String
    public var dns: [String]
    /// kubelet's --resolv-conf; nil: /etc/resolv.conf.
    public var resolvConf: String?
    public var location: SourceLocation?
    public init(domain: String = "cluster.local", dns: [String] = [], resolvConf: String? = nil, location: SourceLocation? = nil) {
        self.domain = domain
        self.dns = dns
        self.resolvConf = resolvConf
        self.location = location
    }
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
    /// Lines written as comments above the settings.
    public var comments: [String] = []
    /// The policy applied, when not `policy` (ClusterFirst without a cluster DNS).
    public var appliedPolicy: DNSPolicy? = nil
    /// The addresses the embedded server answers on inside this host: 127.0.0.11 and
    /// the cluster DNS, where the nameservers name them.
    public var embeddedAddresses: [IPAddress] = []
    /// Whether the host's hosts file names the other hosts too (swiftnet's own policies);
    /// kubelet and dockerd write only the host itself.
    public var hostsFileNamesAll = true

    public init(policy: DNSPolicy, nameservers: [IPAddress], search: [String], options: [DNSOption],
                comments: [String] = [], appliedPolicy: DNSPolicy? = nil, embeddedAddresses: [IPAddress] = [],
                hostsFileNamesAll: Bool = true) {
        self.policy = policy
        self.nameservers = nameservers
        self.search = search
        self.options = options
        self.comments = comments
        self.appliedPolicy = appliedPolicy
        self.embeddedAddresses = embeddedAddresses
        self.hostsFileNamesAll = hostsFileNamesAll
    }

    /// The address of the embedded server, inside every host (on its loopback), as
    /// Docker's embedded DNS uses 127.0.0.11 inside every container.
    public static let embeddedServer = IPAddress.v4(IPv4Address(0x7F00_000B))
    /// `embeddedServer` as text: "127.0.0.11".
    public static let embeddedServerAddress = embeddedServer.description

    /// Whether the embedded server must listen inside this host.
    public var usesEmbeddedServer: Bool { !embeddedAddresses.isEmpty }

    /// The text of the host's `/etc/resolv.conf`.
    public func resolvConf() -> String {
        ResolverRules.text(ResolverConfig(nameservers: nameservers.map(\.description), search: search, options: options,
                                          comments: comments, appliedPolicy: appliedPolicy), policy: policy)
    }
}
