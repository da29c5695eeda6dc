/// `route: {on: r1, to: 10.2.0.5, expect_via: 10.1.0.2, expect_dev: r1-eth1}`: the
/// kernel's FIB lookup in the node (RTM_GETROUTE, as `ip route get`); `expect:
/// unreachable` wants no route.
struct RouteStep: StepKind {
    var on: String
    var to: String
    var expectVia: String?
    var expectDev: String?
    var expectUnreachable: Bool

    static let keyword = "route"
    static let keys: [String]? = ["on", "to", "expect_via", "expect_dev", "expect", "within"]
    static let example = "route: {on: r1, to: h2}"
    static let isCheck = true

    static func parse(_ p: StepParameters) throws -> RouteStep {
        let expect = try p.optional("expect", example: "unreachable")
        if let e = expect, e != "unreachable" {
            throw p.error("\(p.what): 'expect' can only be unreachable; check a route with expect_via and expect_dev", at: p.keyNode("expect"))
        }
        return RouteStep(on: try p.required("on", example: "r1"), to: try p.required("to", example: "10.0.2.10"),
                         expectVia: try p.optional("expect_via", example: "10.1.0.2"), expectDev: try p.optional("expect_dev", example: "r1-eth1"),
                         expectUnreachable: expect != nil)
    }

    func validate(_ check: StepValidation) throws {
        try check.node(on, role: "on")
        try check.hostOrAddress(to)
        if let via = expectVia, !check.isAddress(via) {
            throw check.error("expect_via '\(via)' is not an IP address")
        }
        if let dev = expectDev, check.topology.host(on)?.interfaces.contains(dev) != true {
            let list = check.topology.host(on)?.interfaces.joined(separator: " ") ?? ""
            throw check.error("'\(on)' has no interface '\(dev)' (it has \(list))")
        }
    }

    var title: String {
        if expectUnreachable { return "route on \(on) to \(to) unreachable" }
        return "route on \(on) to \(to)" + (expectVia.map { " via \($0)" } ?? "") + (expectDev.map { " dev \($0)" } ?? "")
    }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        let r = try network.routeLookup(on: on, to: to)
        let observed: String
        switch r.type {
        case .unicast:
            observed = (r.gateway.map { "via \($0) " } ?? "") + "dev \(r.interface ?? "?")"
        default:
            observed = "\(r.type)"
        }
        if expectUnreachable {
            return Observation(passed: r.type != .unicast && r.type != .local, expected: "no route", observed: observed)
        }
        var expected = [String]()
        if let via = expectVia { expected.append("via \(via)") }
        if let dev = expectDev { expected.append("dev \(dev)") }
        let ok = r.type == .unicast && (expectVia.map { v in r.gateway.map { Network.sameAddress($0.description, v) } ?? false } ?? true)
            && (expectDev.map { $0 == r.interface } ?? true)
        return Observation(passed: ok, expected: expected.isEmpty ? "a route" : expected.joined(separator: " "), observed: observed)
    }
}

extension ExperimentAction {
    /// `route`: the FIB of `on` routes `to` via `expectVia` and out of `expectDev` (or,
    /// with `expectUnreachable`, has no route).
    public static func route(on: String, to: String, expectVia: String?, expectDev: String?, expectUnreachable: Bool) -> ExperimentAction {
        ExperimentAction(RouteStep(on: on, to: to, expectVia: expectVia, expectDev: expectDev, expectUnreachable: expectUnreachable))
    }
}
