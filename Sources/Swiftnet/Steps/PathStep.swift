/// `path: {from: h1, to: h3, expect: [r1, r2]}`: the forwarding path followed hop by hop
/// through the nodes' FIBs; the routers it crosses, or `blackhole` / `loop`.
struct PathStep: StepKind {
    var from: String
    var to: String
    var expect: PathExpectation

    static let keyword = "path"
    static let keys: [String]? = ["from", "to", "expect", "within"]
    static let example = "path: {from: h1, to: h3, expect: [r1]}"
    static let isCheck = true

    static func parse(_ p: StepParameters) throws -> PathStep {
        let from = try p.required("from", example: "h1"), to = try p.required("to", example: "h3")
        let e = try p.expectedRouters(outcomes: ["blackhole", "loop"])
        let expect: PathExpectation = switch e.outcome {
        case "loop": .loop
        case "blackhole": .blackhole
        default: .hops(e.routers)
        }
        return PathStep(from: from, to: to, expect: expect)
    }

    func validate(_ check: StepValidation) throws {
        try check.node(from, role: "from")
        try check.hostOrAddress(to)
        if case .hops(let h) = expect { try check.routers(h) }
    }

    var title: String { "path \(from) -> \(to) = \(expect.text)" }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        let p = try network.forwardingPath(from: from, to: to)
        let ok: Bool
        switch (expect, p.outcome) {
        case (.hops(let h), .reached): ok = h == p.routers
        case (.blackhole, .blackhole), (.blackhole, .leftTheNetwork): ok = true
        case (.loop, .loop): ok = true
        default: ok = false
        }
        return Observation(passed: ok, expected: expect.text, observed: p.text)
    }
}

extension ExperimentAction {
    /// `path`: the forwarding path from `from` to `to`, through the nodes' FIBs, is `expect`.
    public static func path(from: String, to: String, expect: PathExpectation) -> ExperimentAction {
        ExperimentAction(PathStep(from: from, to: to, expect: expect))
    }
}
