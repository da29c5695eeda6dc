/// Something that can appear inside a `Topology { ... }` block.
public enum TopologyElement: Sendable {
    case host(HostSpec)
    case `switch`(SwitchSpec)
    case link(LinkSpec)
    case record(DNSRecordSpec)
    case route(RouteSpec)
}

/// `Router("r1", asn: 65001)` inside a `Topology { }` block: a namespace that forwards,
/// with its addresses given per link (`Link("r1", "r2", ips: [...])`) or by `autoAddress`.
public struct Router: Sendable {
    public var spec: HostSpec
    public init(_ name: String, asn: Int? = nil, file: String = #filePath, line: Int = #line) {
        spec = HostSpec(name: name, kind: .router, asn: asn, location: SourceLocation(file: file, line: line))
    }
}

/// `Route("r1", to: "10.2.0.0/24", via: "10.1.0.2")` inside a `Topology { }` block.
public typealias Route = RouteSpec

extension RouteSpec {
    /// A static route for the DSL; the call site is kept for error messages.
    public init(_ node: String, to: String, via: String, file: String = #filePath, line: Int = #line) {
        self.init(node: node, to: to, via: via, location: SourceLocation(file: file, line: line))
    }
}

/// The result builder behind `Topology(name) { ... }`; supports `if`, `for` and `switch`.
@resultBuilder
public enum TopologyBuilder {
    public static func buildExpression(_ h: HostSpec) -> [TopologyElement] { [.host(h)] }
    public static func buildExpression(_ s: SwitchSpec) -> [TopologyElement] { [.switch(s)] }
    public static func buildExpression(_ l: LinkSpec) -> [TopologyElement] { [.link(l)] }
    public static func buildExpression(_ r: DNSRecordSpec) -> [TopologyElement] { [.record(r)] }
    public static func buildExpression(_ r: Router) -> [TopologyElement] { [.host(r.spec)] }
    public static func buildExpression(_ r: RouteSpec) -> [TopologyElement] { [.route(r)] }
    public static func buildExpression(_ e: [TopologyElement]) -> [TopologyElement] { e }
    public static func buildBlock(_ parts: [TopologyElement]...) -> [TopologyElement] { parts.flatMap { $0 } }
    public static func buildArray(_ parts: [[TopologyElement]]) -> [TopologyElement] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [TopologyElement]?) -> [TopologyElement] { part ?? [] }
    public static func buildEither(first: [TopologyElement]) -> [TopologyElement] { first }
    public static func buildEither(second: [TopologyElement]) -> [TopologyElement] { second }
}

/// `Host("h1", ip: "10.0.0.1/8")` inside a `Topology { }` block.
public typealias Host = HostSpec
/// `Switch("s1")` inside a `Topology { }` block: a Linux bridge unless `kind` says otherwise.
public typealias Switch = SwitchSpec
/// `Link("h1", "s1", mtu: 1400)` inside a `Topology { }` block.
public typealias Link = LinkSpec
/// `Record("www.lab.test", "10.0.0.80")` inside a `Topology { }` block: a name the run's
/// DNS answers for (an address gives A/AAAA, a name a CNAME).
public typealias Record = DNSRecordSpec

extension DNSRecordSpec {
    /// A DNS record for the DSL; the call site is kept for error messages.
    public init(_ name: String, _ value: String, file: String = #filePath, line: Int = #line) {
        self.init(name: name, value: value, location: SourceLocation(file: file, line: line))
    }
}

extension HostSpec {
    /// A host for the DSL; the call site is kept for error messages.
    /// Options that make sense only for hosts exist only here: a switch cannot get an `ip`.
    /// - Parameters:
    ///   - kind: `.dns` runs dnsmasq in the host, answering for every node.
    ///   - dns: the host's resolver settings, such as
    ///     `DNSSettings(options: [DNSOption("ndots", "5")])`.
    ///   - namespace: the host's Kubernetes namespace (with a topology `cluster`).
    public init(_ name: String, kind: HostKind = .host, ip: String? = nil, mac: String? = nil, ip6: String? = nil,
                gateway: String? = nil, dns: DNSSettings? = nil, namespace: String? = nil,
                file: String = #filePath, line: Int = #line) {
        let loc = SourceLocation(file: file, line: line)
        var settings = dns
        if settings != nil && settings?.location == nil { settings?.location = loc }
        self.init(name: name, kind: kind, ip: ip, mac: mac, ip6: ip6, gateway: gateway, dns: settings, location: loc)
        self.namespace = namespace
    }
}

extension SwitchSpec {
    /// A switch for the DSL; the call site is kept for error messages.
    /// - Parameters: dpid, protocols and failMode are OpenFlow settings of `kind: .user`.
    ///   dpid is a number: write it as a hex literal to match YAML and the command line,
    ///   where the text is hex (`dpid: 0x10` here is YAML's `dpid: 10`).
    public init(_ name: String, kind: SwitchKind = .lxbr, stp: Bool? = nil, dpid: UInt64? = nil,
                protocols: [OpenFlowProtocol]? = nil, failMode: FailMode? = nil,
                file: String = #filePath, line: Int = #line) {
        self.init(name: name, kind: kind, stp: stp, dpid: dpid, protocols: protocols, failMode: failMode,
                  location: SourceLocation(file: file, line: line))
    }
}

extension LinkSpec {
    /// A link for the DSL; the call site is kept for error messages.
    /// - Parameters: bw in Mbit/s; delay and jitter such as "5ms"; loss in percent;
    ///   maxQueue in packets; useTBF shapes with a token bucket instead of HTB.
    ///   ips: the addresses of `a`'s and of `b`'s interface, such as
    ///   `[["10.1.0.1/30"], ["10.1.0.2/30"]]` (an empty list for a switch's end).
    public init(_ a: String, _ b: String, ips: [[String]] = [], mtu: Int? = nil, bw: Double? = nil, delay: String? = nil,
                jitter: String? = nil, loss: Double? = nil, maxQueue: Int? = nil, useTBF: Bool? = nil,
                file: String = #filePath, line: Int = #line) {
        self.init(a, b, mtu: mtu, location: SourceLocation(file: file, line: line))
        self.ips = ips
        params = LinkParams(bw: bw.map { "\($0)" }, delay: delay, jitter: jitter, loss: loss.map { "\($0)" },
                            maxQueue: maxQueue.map { "\($0)" }, useTBF: useTBF)
    }
}

extension Topology {
    /// Builds a topology description with the DSL:
    /// ```swift
    /// let topo = Topology("lab") {
    ///     Host("h1"); Host("h2")
    ///     Switch("s1")
    ///     Link("h1", "s1"); Link("h2", "s1")
    /// }
    /// ```
    /// - Parameters:
    ///   - domain: the nodes' DNS domain (`h1` is also `h1.<domain>`).
    ///   - experiment: steps for `Network.runExperiment()`.
    ///   - autoAddress: number the LANs and router links from `ipBase` (and `ipBase6`).
    ///   - routing: run OSPF or BGP (FRR) on the routers.
    ///   - controller: the OpenFlow controller of the user switches (`.builtinController`
    ///     for swiftnet's own; nil: none, they learn MACs).
    ///   - cluster: a Kubernetes cluster the hosts are pods of, such as
    ///     `ClusterSpec(dns: ["10.96.0.10"])`: hosts then take the ClusterFirst DNS policy.
    public init(_ name: String, ipBase: String = "10.0.0.0/8", ipBase6: String? = nil, domain: String? = nil,
                autoAddress: Bool = false, routing: RoutingMode? = nil, controller: ControllerSpec? = nil,
                cluster: ClusterSpec? = nil,
                experiment: [ExperimentStep] = [], @TopologyBuilder _ content: () -> [TopologyElement]) {
        self.init(name: name, ipBase: ipBase, domain: domain, experiment: experiment)
        self.cluster = cluster
        self.controller = controller
        self.ipBase6 = ipBase6
        self.autoAddress = autoAddress
        self.routing = routing
        for e in content() {
            switch e {
            case .host(let h): hosts.append(h)
            case .switch(let s): switches.append(s)
            case .link(let l): links.append(l)
            case .record(let r): records.append(r)
            case .route(let r): routes.append(r)
            }
        }
    }
}
