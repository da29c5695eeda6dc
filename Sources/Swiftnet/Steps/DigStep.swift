/// `dig: {on: h1, server: ns1, name: web.lab.test, type: A, expect: 10.0.0.80}`: one DNS
/// query sent from the host to a given server (`embedded` by default), no search list.
struct DigStep: StepKind {
    var on: String
    var server: String
    var name: String
    var type: String
    var expect: ResolveExpectation

    static let keyword = "dig"
    static let keys: [String]? = ["on", "server", "name", "type", "expect", "within"]
    static let example = "dig: {on: h1, name: h2.lab.test}"
    static let isCheck = true
    static let types = ["A", "AAAA", "PTR", "CNAME", "ANY", "TXT", "SOA", "NS"]

    static func parse(_ p: StepParameters) throws -> DigStep {
        DigStep(on: try p.required("on", example: "h1"), server: try p.optional("server", example: "ns1") ?? "embedded",
                name: try p.required("name", example: "web.lab.test"),
                type: (try p.optional("type", example: "A") ?? "A").uppercased(), expect: try p.resolveExpectation())
    }

    func validate(_ check: StepValidation) throws {
        try check.node(on, role: "on")
        if check.topology.kind(of: server) != .host && !check.isAddress(server) && server != "embedded" {
            throw check.error("'server: \(server)' is not a host of this topology, an address or 'embedded'")
        }
        if !Self.types.contains(type) {
            throw check.error("type '\(type)' is not one of \(Self.types.joined(separator: ", "))")
        }
        try check.lookup(name, expect, reverse: type == "PTR", namesAnswer: true)
    }

    var title: String { "dig \(type) \(name) @\(server) on \(on) = \(expect.text)" }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        try network.dig(on: on, server: server, name: name, type: type, expect: expect)
    }
}

extension ExperimentAction {
    /// `dig`: one DNS query of `type` for `name`, sent from `on` to `server` (a host, an
    /// address or "embedded").
    public static func dig(on: String, server: String, name: String, type: String, expect: ResolveExpectation) -> ExperimentAction {
        ExperimentAction(DigStep(on: on, server: server, name: name, type: type, expect: expect))
    }
}
