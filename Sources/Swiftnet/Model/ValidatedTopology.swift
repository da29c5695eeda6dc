/// The kinds of node a topology has.
public enum NodeKind: String, Sendable, Codable, Hashable {
    case host
    case `switch`
}

/// One end of a link: an interface of a node.
public struct Endpoint: Hashable, Sendable, Codable {
    public var node: String
    public var kind: NodeKind
    /// Interface name, `<node>-eth<port>`.
    public var interface: String
    public var port: Int
}

/// A host after validation: every address resolved.
public struct ResolvedHost: Hashable, Sendable, Codable {
    public var name: String
    public var kind: HostKind = .host
    /// Address of the first interface.
    public var ip: IPv4CIDR
    public var mac: MACAddress?
    /// IPv6 address of the first interface.
    public var ip6: IPv6CIDR?
    public var gateway: IPv4Address?
    /// Interface names in port order.
    public var interfaces: [String]
    /// What the host's resolv.conf says.
    public var dns = ResolvedDNS(policy: .host, nameservers: [], search: [], options: [])
    /// The host's Kubernetes namespace (`default` unless given).
    public var namespace = "default"
    /// Every interface's addresses (IPv4 and IPv6), by interface name.
    public var addresses: [String: [IPCIDR]] = [:]
    /// IPv6 default gateway.
    public var gateway6: IPv6Address? = nil
    /// Static routes of this node, in file order.
    public var routes: [ResolvedRoute] = []
    /// A router's AS number (`routing: bgp`).
    public var asn: Int? = nil
    public var isRouter: Bool { kind == .router }
}

/// A checked static route.
public struct ResolvedRoute: Hashable, Sendable, Codable {
    /// A prefix such as 10.2.0.0/24 or fd00:2::/64; `default` is 0.0.0.0/0, `default6` ::/0.
    public var destination: IPCIDR
    /// The next hop, of the destination's family.
    public var via: IPAddress
    public var isIPv6: Bool { via.isIPv6 }
}

/// A checked DNS record (`records:`): a name and an address (A or AAAA) or another name (CNAME).
public struct ResolvedRecord: Hashable, Sendable, Codable {
    public enum Value: Hashable, Sendable, Codable, CustomStringConvertible {
        case address(IPAddress)
        /// The name a CNAME points to, lowercased.
        case alias(String)
        public var description: String {
            switch self {
            case .address(let a): a.description
            case .alias(let n): n
            }
        }
    }
    /// Lowercased, without a trailing dot.
    public var name: String
    public var value: Value
    public var location: SourceLocation?
    public init(name: String, value: Value, location: SourceLocation? = nil) {
        self.name = name
        self.value = value
        self.location = location
    }
}

/// A switch after validation.
public struct ResolvedSwitch: Hashable, Sendable, Codable {
    public var name: String
    public var kind: SwitchKind
    public var stp: Bool
    public var interfaces: [String]
    /// OpenFlow datapath id (user switches).
    public var dpid: UInt64 = 0
    /// OpenFlow versions offered, lowest first (user switches).
    public var protocols: [OpenFlowProtocol] = OpenFlowProtocol.allCases
    public var failMode: FailMode = .secure
}

/// A link after validation.
public struct ResolvedLink: Hashable, Sendable, Codable {
    public var a: Endpoint
    public var b: Endpoint
    public var mtu: Int?
    /// Shaping applied to the egress of both ends, when any.
    public var shaping: LinkShaping?
    /// "(h1, s1)", the pair as Mininet prints it.
    public var label: String { "(\(a.node), \(b.node))" }
}

/// Checked link shaping, applied to the egress of each end of a link.
public struct LinkShaping: Hashable, Sendable, Codable {
    public var bandwidthMbps: Double?
    public var delayMicroseconds: Int?
    public var jitterMicroseconds: Int?
    public var lossPercent: Double?
    public var maxQueue: Int?
    public var useTBF = false

    /// Whether the kernel's netem is needed (delay, jitter or loss).
    public var needsNetem: Bool { delayMicroseconds != nil || jitterMicroseconds != nil || lossPercent != nil }

    /// The parameters that need netem, as written in YAML and on the command line.
    public var netemParameters: [String] {
        (delayMicroseconds != nil ? ["delay"] : []) + (jitterMicroseconds != nil ? ["jitter"] : []) + (lossPercent != nil ? ["loss"] : [])
    }
}

/// A topology that passed every check: the only input the emulator accepts.
/// Hosts are in natural name order (h2 before h10), switches likewise.
public struct ValidatedTopology: Hashable, Sendable, Codable {
    public var name: String
    public var ipBase: IPv4CIDR
    public var hosts: [ResolvedHost]
    public var switches: [ResolvedSwitch]
    public var links: [ResolvedLink]
    /// True when the switches form a loop (kernel STP is then on and awaited).
    public var hasLoop: Bool
    /// The nodes' DNS domain, lowercased, without a trailing dot.
    public var domain: String? = nil
    /// Extra DNS names (`records:`), checked: names lowercased and fully qualified.
    public var records: [ResolvedRecord] = []
    /// The Kubernetes cluster: its domain (lowercased) and DNS service addresses.
    public var clusterDomain: String? = nil
    public var clusterDNS: [IPAddress] = []
    /// What validation noticed and corrected without refusing (a nameserver over the
    /// limit, a search line cut), as kubelet records events: the run prints them.
    public var warnings: [String] = []
    /// The experiment's steps, checked against the nodes and links.
    public var experiment: [ExperimentStep] = []
    /// How routers learn routes (nil: static).
    public var routing: RoutingMode? = nil
    /// The controller user switches connect to.
    public var controller: ControllerSpec? = nil

    /// The end hosts (not routers): what pingall pings.
    public var endHosts: [ResolvedHost] { hosts.filter { $0.kind != .router } }
    public var routers: [ResolvedHost] { hosts.filter { $0.kind == .router } }

    /// True when some host's resolver points at the embedded DNS server.
    public var usesEmbeddedDNS: Bool { hosts.contains { $0.dns.usesEmbeddedServer } }

    public func host(_ name: String) -> ResolvedHost? { hosts.first { $0.name == name } }
    public func kind(of node: String) -> NodeKind? {
        if hosts.contains(where: { $0.name == node }) { return .host }
        if switches.contains(where: { $0.name == node }) { return .switch }
        return nil
    }
    /// Every node name, hosts first.
    public var nodeNames: [String] { hosts.map(\.name) + switches.map(\.name) }
}

/// Compares names as Mininet's `natural` sort does: digit runs by value ("h2" < "h10").
public func naturalLess(_ a: String, _ b: String) -> Bool {
    func chunks(_ s: String) -> [(String, Int?)] {
        var out: [(String, Int?)] = []
        var cur = ""
        var digits = false
        for c in s {
            let d = c.isASCII && c.isNumber
            if !cur.isEmpty && d != digits {
                out.append((cur, digits ? Int(cur) : nil))
                cur = ""
            }
            digits = d
            cur.append(c)
        }
        if !cur.isEmpty { out.append((cur, digits ? Int(cur) : nil)) }
        return out
    }
    let ca = chunks(a), cb = chunks(b)
    for (x, y) in zip(ca, cb) {
        if let nx = x.1, let ny = y.1 {
            if nx != ny { return nx < ny }
        } else if x.0 != y.0 {
            return x.0 < y.0
        }
    }
    if ca.count != cb.count { return ca.count < cb.count }
    return a < b
}
