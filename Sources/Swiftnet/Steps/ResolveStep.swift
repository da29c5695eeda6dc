/// `resolve: {on: h1, name: web, expect: 10.0.0.80}`: the host's resolver, as `getent
/// ahosts` sees it (search domains, ndots, /etc/hosts).
struct ResolveStep: StepKind {
    var on: String
    var name: String
    var expect: ResolveExpectation

    static let keyword = "resolve"
    static let keys: [String]? = ["on", "name", "expect", "within"]
    static let example = "resolve: {on: h1, name: h2}"
    static let isCheck = true

    static func parse(_ p: StepParameters) throws -> ResolveStep {
        ResolveStep(on: try p.required("on", example: "h1"), name: try p.required("name", example: "web"), expect: try p.resolveExpectation())
    }

    func validate(_ check: StepValidation) throws {
        try check.node(on, role: "on")
        try check.lookup(name, expect)
    }

    var title: String { "resolve \(name) on \(on) = \(expect.text)" }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        try network.resolve(on: on, name: name, expect: expect, isCancelled: isCancelled)
    }
}

extension ExperimentAction {
    /// `resolve`: `name` through `on`'s own resolver gives what `expect` says.
    public static func resolve(on: String, name: String, expect: ResolveExpectation) -> ExperimentAction {
        ExperimentAction(ResolveStep(on: on, name: name, expect: expect))
    }
}

extension Network {
    /// `name` resolves, through `host`'s own resolver (`getent ahosts`), to `address`
    /// among its answers.
    public func expectResolve(on host: String, _ name: String, is address: String, within: Duration? = nil) async throws {
        try await expect(.resolve(on: host, name: name, expect: .addresses([address])), within: within)
    }

    /// `name` does not resolve through `host`'s resolver.
    public func expectNXDOMAIN(on host: String, _ name: String, within: Duration? = nil) async throws {
        try await expect(.resolve(on: host, name: name, expect: .nxdomain), within: within)
    }
}
