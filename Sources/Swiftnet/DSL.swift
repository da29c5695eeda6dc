/// Something that can appear inside a `Topology { ... }` block.
public enum TopologyElement: Sendable {
    case host(HostSpec)
    case `switch`(SwitchSpec)
    case link(LinkSpec)
}

/// The result builder behind `Topology(name) { ... }`; supports `if`, `for` and `switch`.
@resultBuilder
public enum TopologyBuilder {
    public static func buildExpression(_ h: HostSpec) -> [TopologyElement] { [.host(h)] }
    public static func buildExpression(_ s: SwitchSpec) -> [TopologyElement] { [.switch(s)] }
    public static func buildExpression(_ l: LinkSpec) -> [TopologyElement] { [.link(l)] }
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

extension HostSpec {
    /// A host for the DSL; the call site is kept for error messages.
    /// Options that make sense only for hosts exist only here: a switch cannot get an `ip`.
    public init(_ name: String, ip: String? = nil, mac: String? = nil, ip6: String? = nil,
                gateway: String? = nil, file: String = #filePath, line: Int = #line) {
        self.init(name: name, ip: ip, mac: mac, ip6: ip6, gateway: gateway, location: SourceLocation(file: file, line: line))
    }
}

extension SwitchSpec {
    /// A switch for the DSL; the call site is kept for error messages.
    public init(_ name: String, kind: SwitchKind = .lxbr, stp: Bool? = nil,
                file: String = #filePath, line: Int = #line) {
        self.init(name: name, kind: kind, stp: stp, location: SourceLocation(file: file, line: line))
    }
}

extension LinkSpec {
    /// A link for the DSL; the call site is kept for error messages.
    /// - Parameters: bw in Mbit/s; delay and jitter such as "5ms"; loss in percent;
    ///   maxQueue in packets; useTBF shapes with a token bucket instead of HTB.
    public init(_ a: String, _ b: String, mtu: Int? = nil, bw: Double? = nil, delay: String? = nil,
                jitter: String? = nil, loss: Double? = nil, maxQueue: Int? = nil, useTBF: Bool? = nil,
                file: String = #filePath, line: Int = #line) {
        self.init(a, b, mtu: mtu, location: SourceLocation(file: file, line: line))
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
    public init(_ name: String, ipBase: String = "10.0.0.0/8", @TopologyBuilder _ content: () -> [TopologyElement]) {
        self.init(name: name, ipBase: ipBase)
        for e in content() {
            switch e {
            case .host(let h): hosts.append(h)
            case .switch(let s): switches.append(s)
            case .link(let l): links.append(l)
            }
        }
    }
}
