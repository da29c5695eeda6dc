/// `link: {between: [s1, s2], state: down}`: takes a link down or up.
struct LinkStep: StepKind {
    var a: String
    var b: String
    var up: Bool

    static let keyword = "link"
    static let keys: [String]? = ["between", "state"]
    static let example = "link: {between: [h1, s1], state: down}"
    static let isCheck = false

    static func parse(_ p: StepParameters) throws -> LinkStep {
        guard let ends = try p.list("between", example: "between: [s1, s2]") else {
            throw p.error("\(p.what) needs 'between', such as `between: [s1, s2]`")
        }
        guard ends.count == 2 else { throw p.error("\(p.what): 'between' must name exactly two nodes, such as [s1, s2]", at: p.keyNode("between")) }
        let state = try p.required("state", example: "down")
        guard state == "up" || state == "down" else {
            throw p.error("\(p.what): 'state' must be up or down, not '\(state)'", at: p.keyNode("state"))
        }
        return LinkStep(a: ends[0], b: ends[1], up: state == "up")
    }

    func validate(_ check: StepValidation) throws {
        try check.node(a, role: "between", hostOnly: false)
        try check.node(b, role: "between", hostOnly: false)
        let joined = check.topology.links.contains { ($0.a.node == a && $0.b.node == b) || ($0.a.node == b && $0.b.node == a) }
        if !joined {
            throw check.error("there is no link between '\(a)' and '\(b)'")
        }
    }

    var title: String { "link \(a) \(b) \(up ? "up" : "down")" }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        try network.setLink(a, b, up: up)
        return Observation(passed: true, expected: up ? "up" : "down", observed: up ? "up" : "down")
    }
}

extension ExperimentAction {
    /// `link`: the link between `a` and `b` goes up or down.
    public static func link(a: String, b: String, up: Bool) -> ExperimentAction {
        ExperimentAction(LinkStep(a: a, b: b, up: up))
    }
}
