/// `traceroute: {from: h1, to: h3, expect: [r1, r2]}`: the path on the data plane, with
/// `traceroute` inside the host, hop addresses mapped back to node names.
struct TracerouteStep: StepKind {
    var from: String
    var to: String
    var expect: [String]

    static let keyword = "traceroute"
    static let keys: [String]? = ["from", "to", "expect", "within"]
    static let example = "traceroute: {from: h1, to: h3, expect: [r1]}"
    static let isCheck = true

    static func parse(_ p: StepParameters) throws -> TracerouteStep {
        let from = try p.required("from", example: "h1"), to = try p.required("to", example: "h3")
        return TracerouteStep(from: from, to: to, expect: try p.expectedRouters(outcomes: []).routers)
    }

    func validate(_ check: StepValidation) throws {
        try check.node(from, role: "from")
        try check.hostOrAddress(to)
        try check.routers(expect)
    }

    var expectedText: String { expect.isEmpty ? "no router" : expect.joined(separator: " -> ") }

    var title: String { "traceroute \(from) -> \(to) = \(expectedText)" }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        let hops = try network.traceroute(from: from, to: to, isCancelled: isCancelled)
        let text = hops.isEmpty ? "no router" : hops.joined(separator: " -> ")
        return Observation(passed: hops == expect, expected: expectedText, observed: text)
    }
}

extension ExperimentAction {
    /// `traceroute`: `traceroute` from `from` to `to` crosses the routers `expect`.
    public static func traceroute(from: String, to: String, expect: [String]) -> ExperimentAction {
        ExperimentAction(TracerouteStep(from: from, to: to, expect: expect))
    }
}
