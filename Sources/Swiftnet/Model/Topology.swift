/// Where a topology element was written: a YAML file's line, or a Swift DSL call site.
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
    public var description: String { "\(file):\(line)" }
}

/// A topology that is wrong, with where and what to do about it.
public struct TopologyError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    /// `FILE:LINE: message`, or just the message when there is no location.
    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }
}

/// The switch implementations a switch node can use.
public enum SwitchKind: String, Sendable, Codable, Hashable, CaseIterable {
    /// A Linux bridge in the run's fabric namespace (Mininet's `--switch lxbr`).
    case lxbr
    /// Swiftnet's own userspace switch (a MAC-learning switch in standalone mode), which
    /// also applies link delay, jitter, loss and bandwidth itself, with no kernel qdisc.
    case user
}

/// What a host node is for.
public enum HostKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A host: a network namespace where programs run.
    case host
    /// A host that runs a real DNS server (dnsmasq) answering for every node and the
    /// topology's records; other hosts can name it in `dns: {nameservers: [ns1]}`.
    case dns
    /// A router: a namespace with IPv4 and IPv6 forwarding on and any number of
    /// interfaces, addressed per link (`ips:`) or by `autoaddress`.
    case router
}

/// How routers learn routes.
public enum RoutingMode: String, Hashable, Sendable, Codable, CaseIterable {
    /// Only the routes written in `routes:` (and connected subnets).
    case `static`
    /// OSPFv2 (and OSPFv3 for IPv6) on every router, with FRR.
    case ospf
    /// eBGP between neighbouring routers, each with its own `asn`, with FRR.
    case bgp
}

/// A static route as written: `{to: 10.2.0.0/24, via: 10.1.0.2}` on a node.
public struct RouteSpec: Hashable, Sendable, Codable {
    public var node: String
    /// A prefix such as "10.2.0.0/24" or "fd00:2::/64", or "default" (IPv4) / "default6".
    public var to: String
    /// The next hop's address, on a subnet the node is connected to.
    public var via: String
    public var location: SourceLocation?
    public init(node: String, to: String, via: String, location: SourceLocation? = nil) {
        self.node = node
        self.to = to
        self.via = via
        self.location = location
    }
}

/// A host as written: a network namespace with one or more interfaces.
public struct HostSpec: Hashable, Sendable, Codable {
    public var name: String
    public var kind: HostKind = .host
    /// "10.0.0.1/8"; nil takes the next address of the topology's `ipBase`.
    public var ip: String?
    /// "00:00:00:00:00:01"; nil lets the kernel pick (or `--mac` derive it).
    public var mac: String?
    /// An IPv6 interface address such as "fd00::1/64", on the first interface.
    public var ip6: String?
    /// IPv4 default gateway.
    public var gateway: String?
    /// Resolver settings (nil: the topology's default policy).
    public var dns: DNSSettings?
    /// The Kubernetes namespace of the host, as a pod's (nil: `default`).
    public var namespace: String? = nil
    /// A router's autonomous system number, for `routing: bgp`.
    public var asn: Int?
    public var location: SourceLocation?

    public init(name: String, kind: HostKind = .host, ip: String? = nil, mac: String? = nil, ip6: String? = nil,
                gateway: String? = nil, dns: DNSSettings? = nil, asn: Int? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.asn = asn
        self.kind = kind
        self.dns = dns
        self.ip = ip
        self.mac = mac
        self.ip6 = ip6
        self.gateway = gateway
        self.location = location
    }
}

/// A switch as written.
public struct SwitchSpec: Hashable, Sendable, Codable {
    public var name: String
    public var kind: SwitchKind
    /// Kernel spanning tree: nil turns it on only when the switches form a loop.
    public var stp: Bool?
    /// OpenFlow datapath id of a user switch; nil takes the number in its name (s12 → 12),
    /// as Mininet does. A number here: YAML's and the command line's text is hex
    /// (`dpid: 10` is 0x10, see `parseDPID`).
    public var dpid: UInt64?
    /// OpenFlow versions a user switch offers its controller (nil: 1.0 and 1.3).
    public var protocols: [OpenFlowProtocol]?
    /// What a user switch with a controller does while it has no connection (nil: secure).
    public var failMode: FailMode?
    public var location: SourceLocation?

    public init(name: String, kind: SwitchKind = .lxbr, stp: Bool? = nil, dpid: UInt64? = nil,
                protocols: [OpenFlowProtocol]? = nil, failMode: FailMode? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.kind = kind
        self.stp = stp
        self.dpid = dpid
        self.protocols = protocols
        self.failMode = failMode
        self.location = location
    }
}

/// An OpenFlow version, named as Open vSwitch and Mininet name them.
public enum OpenFlowProtocol: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// OpenFlow 1.0 (wire version 0x01): one table, 12-field matches.
    case openFlow10 = "OpenFlow10"
    /// OpenFlow 1.3 (wire version 0x04): several tables, OXM matches, instructions.
    case openFlow13 = "OpenFlow13"
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Parses a list such as "OpenFlow10,OpenFlow13" or "OpenFlow10+OpenFlow13" (commas,
    /// pluses, colons or spaces between); the first word that is not a version is thrown.
    public static func parseList(_ text: String) throws(TopologyError) -> [OpenFlowProtocol] {
        var list: [OpenFlowProtocol] = []
        for word in text.split(whereSeparator: { ",+: ".contains($0) }) {
            guard let p = OpenFlowProtocol(text: String(word)) else {
                throw TopologyError("protocol '\(word)' is not one the switch speaks; write OpenFlow10, OpenFlow13 or both (OpenFlow10+OpenFlow13)")
            }
            list.append(p)
        }
        return list
    }

    /// Parses "OpenFlow13", "of13", "1.3" (any case).
    public init?(text: String) {
        switch text.lowercased() {
        case "openflow10", "of10", "1.0": self = .openFlow10
        case "openflow13", "of13", "1.3": self = .openFlow13
        default: return nil
        }
    }
}

/// What a switch with a controller does while it is not connected, as Open vSwitch's
/// fail_mode: `secure` keeps forwarding by the flows it has and drops the rest;
/// `standalone` forwards as a MAC-learning switch.
public enum FailMode: String, Hashable, Sendable, Codable, CaseIterable {
    /// Keep forwarding by the installed flows; drop what no flow matches.
    case secure
    /// Forward as a MAC-learning switch until the controller is back.
    case standalone
}

/// The OpenFlow controller the user switches connect to: an external one (Mininet's
/// `--controller remote,ip=...,port=...`), or swiftnet's own (`builtin`).
public struct ControllerSpec: Hashable, Sendable, Codable {
    /// The controller's IPv4 address, reached from the machine's own namespace.
    public var host: String
    /// Its TCP port (6653, OpenFlow's IANA port, by default).
    public var port: Int
    /// True for the controller built into swiftnet, which listens on a port of its own
    /// on 127.0.0.1 for the run (`host` and `port` are then not used).
    public var builtin: Bool?
    public init(host: String = "127.0.0.1", port: Int = 6653) {
        self.host = host
        self.port = port
    }

    /// swiftnet's own controller.
    public static var builtinController: ControllerSpec {
        var c = ControllerSpec()
        c.builtin = true
        return c
    }

    public var isBuiltin: Bool { builtin == true }

    /// Parses `remote[,ip=A][,port=P]` or `builtin`; "none" gives nil.
    /// - Throws: `TopologyError` for another kind, an unknown key, a value that is not an
    ///   IPv4 address or a port.
    public static func parse(option: String) throws -> ControllerSpec? {
        var parts = option.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let kind = parts.removeFirst()
        if kind == "none" && parts.isEmpty { return nil }
        if kind == "builtin" {
            guard parts.isEmpty else { throw TopologyError("controller builtin takes no parameters (it listens on a port of its own)") }
            return .builtinController
        }
        guard kind == "remote" else {
            throw TopologyError("unknown controller '\(kind)': use remote[,ip=ADDR][,port=PORT], builtin or none")
        }
        var spec = ControllerSpec()
        for p in parts {
            let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw TopologyError("controller parameter '\(p)' needs a value: ip=ADDR or port=PORT") }
            switch kv[0] {
            case "ip", "host":
                guard IPv4Address(kv[1]) != nil else { throw TopologyError("controller ip '\(kv[1])' is not an IPv4 address") }
                spec.host = kv[1]
            case "port":
                guard let n = Int(kv[1]), (1...65535).contains(n) else { throw TopologyError("controller port '\(kv[1])' is not a port number (1-65535)") }
                spec.port = n
            default:
                throw TopologyError("unknown controller parameter '\(kv[0])': use ip= and port=")
            }
        }
        return spec
    }
}

/// A link as written: a veth pair between two nodes.
public struct LinkSpec: Hashable, Sendable, Codable {
    public var a: String
    public var b: String
    public var mtu: Int?
    /// Addresses of each end's interface (`ips: [10.1.0.1/30, 10.1.0.2/30]`): two lists,
    /// for `a` and for `b`, of IPv4 and IPv6 CIDRs; empty when not given.
    public var ips: [[String]] = []
    /// The two ends' interface names (`interfaces: [r0-eth1, s1-eth3]`, Mininet's
    /// `intfName1`/`intfName2`); empty for the names a build gives (`NODE-ethPORT`).
    public var interfaceNames: [String] = []
    /// Mininet's TCLink parameters, as written; checked by `validated()`.
    public var params = LinkParams()
    public var location: SourceLocation?

    public init(_ a: String, _ b: String, mtu: Int? = nil, location: SourceLocation?) {
        self.a = a
        self.b = b
        self.mtu = mtu
        self.location = location
    }
}

/// Link shaping as written (Mininet's TCLink): bandwidth, delay, jitter, loss, queue.
public struct LinkParams: Hashable, Sendable, Codable {
    /// Bandwidth in Mbit/s ("10", "0.5").
    public var bw: String?
    /// One-way delay added on each end ("5ms", "100us", "1s"; a unit is needed, see
    /// `parseDuration`).
    public var delay: String?
    /// Delay variation, same units; needs `delay`.
    public var jitter: String?
    /// Packet loss in percent on each end ("1", "0.5").
    public var loss: String?
    /// Queue length in packets.
    public var maxQueue: String?
    /// Use a token bucket filter for `bw` instead of HTB.
    public var useTBF: Bool?

    public init(bw: String? = nil, delay: String? = nil, jitter: String? = nil, loss: String? = nil,
                maxQueue: String? = nil, useTBF: Bool? = nil) {
        self.bw = bw
        self.delay = delay
        self.jitter = jitter
        self.loss = loss
        self.maxQueue = maxQueue
        self.useTBF = useTBF
    }

    public var isEmpty: Bool { self == LinkParams() }

    /// Fills the parameters this one leaves unset from `defaults` (the `--link` option).
    public func merged(over defaults: LinkParams) -> LinkParams {
        LinkParams(bw: bw ?? defaults.bw, delay: delay ?? defaults.delay, jitter: jitter ?? defaults.jitter,
                   loss: loss ?? defaults.loss, maxQueue: maxQueue ?? defaults.maxQueue, useTBF: useTBF ?? defaults.useTBF)
    }
}

/// A topology as written, in the DSL or YAML: names and options, nothing checked yet.
/// `validated()` turns it into the `ValidatedTopology` that the emulator builds.
///
/// Defaults, as Mininet's: hosts `h1`, `h2`, ... take `ipBase` 10.0.0.0/8 addresses in
/// natural name order (h1 gets 10.0.0.1, h10 10.0.0.10); interfaces are named
/// `<node>-eth<port>`, host ports counting from 0 and switch ports from 1, in link order.
public struct Topology: Hashable, Sendable, Codable {
    public var name: String
    /// The network host addresses come from, "10.0.0.0/8" by default.
    public var ipBase: String
    public var hosts: [HostSpec]
    public var switches: [SwitchSpec]
    public var links: [LinkSpec]
    /// The DNS domain of the nodes: `h1` is also `h1.<domain>`. With a domain, hosts use
    /// the embedded DNS server unless their `dns` says otherwise.
    public var domain: String?
    /// Extra names the DNS answers for (`records:`), in file order.
    public var records: [DNSRecordSpec]
    /// A Kubernetes cluster the hosts are pods of (`cluster:`): with it, hosts take the
    /// ClusterFirst policy unless their `dns` says otherwise.
    public var cluster: ClusterSpec? = nil
    /// The machine's resolver file as text, which the `host`, `Default` and `docker`
    /// policies copy from; nil: /etc/resolv.conf as validation finds it (the cluster's
    /// `resolv_conf` wins over both).
    public var machineResolvConf: String? = nil
    /// Steps run after the build by `swiftnet test` and `swiftnet run`.
    public var experiment: [ExperimentStep]
    /// Static routes per node, in file order.
    public var routes: [RouteSpec] = []
    /// Number every router-to-router link and every LAN from `ipBase` (and `ipBase6`).
    public var autoAddress = false
    /// Where IPv6 LAN and link prefixes come from with `autoAddress` (a /48, say).
    public var ipBase6: String?
    /// How routers learn routes (nil: static routes only).
    public var routing: RoutingMode?
    /// The OpenFlow controller user switches connect to (nil: none; they learn MACs).
    public var controller: ControllerSpec?
    /// Where the topology came from (a file), for messages about it as a whole.
    public var location: SourceLocation?

    public init(name: String, ipBase: String = "10.0.0.0/8", hosts: [HostSpec] = [],
                switches: [SwitchSpec] = [], links: [LinkSpec] = [], domain: String? = nil,
                records: [DNSRecordSpec] = [], experiment: [ExperimentStep] = [], location: SourceLocation? = nil) {
        self.name = name
        self.domain = domain
        self.records = records
        self.experiment = experiment
        self.ipBase = ipBase
        self.hosts = hosts
        self.switches = switches
        self.links = links
        self.location = location
    }
}
