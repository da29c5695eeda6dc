/// `ping: {from: h1, to: h2, expect: fail}`: one ICMP echo (`to`: node or address).
struct PingStep: StepKind {
    var from: String
    var to: String
    var expectSuccess: Bool

    static let keyword = "ping"
    static let keys: [String]? = ["from", "to", "expect", "within"]
    static let example = "ping: {from: h1, to: h2}"
    static let isCheck = true

    static func parse(_ p: StepParameters) throws -> PingStep {
        PingStep(from: try p.required("from", example: "h1"), to: try p.required("to", example: "h2"), expectSuccess: try p.success("expect"))
    }

    func validate(_ check: StepValidation) throws {
        try check.node(from, role: "from")
        try check.target(to)
    }

    var title: String { "ping \(from) -> \(to)" + (expectSuccess ? "" : " fails") }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        let r = try network.ping(from: from, to: to, timeout: 1, isCancelled: isCancelled)
        return Observation(passed: r.received == expectSuccess, expected: expectSuccess ? "a reply" : "no reply",
                           observed: r.received ? "a reply from \(r.address)" + (r.rttMilliseconds.map { " in \($0) ms" } ?? "") : "no reply from \(r.address)")
    }
}

extension ExperimentAction {
    /// `ping`: one ICMP echo from `from` to a node or address gets a reply (or not).
    public static func ping(from: String, to: String, expectSuccess: Bool) -> ExperimentAction {
        ExperimentAction(PingStep(from: from, to: to, expectSuccess: expectSuccess))
    }
}

extension Network {
    /// One ICMP echo from `source` to a node or address gets a reply (or, with
    /// `succeeds: false`, does not).
    public func expectPing(from source: String, to target: String, succeeds: Bool = true, within: Duration? = nil) async throws {
        try await expect(.ping(from: source, to: target, expectSuccess: succeeds), within: within)
    }
}
