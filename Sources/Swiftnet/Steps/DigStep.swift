/// `dig: {on: h1, server: ns1, name: web.lab.test, type: A, expect: 10.0.0.80}`: one DNS
/// query sent from the host to a given server (`embedded` by default), no search list.
/// With `search: true`, as `dig +search`: the names the host's resolv.conf makes of
/// `name` (its search list and ndots), asked in the resolver's order of its first
/// nameserver (or `server`) until one answers; `expect_name` is the name that answered.
struct DigStep: StepKind {
    var on: String
    var server: String
    var name: String
    var type: String
    var expect: ResolveExpectation
    var search = false
    var expectName: String? = nil

    static let keyword = "dig"
    static let keys: [String]? = ["on", "server", "name", "type", "expect", "search", "expect_name", "within"]
    static let example = "dig: {on: h1, name: h2.lab.test}"
    static let isCheck = true
    static let types = ["A", "AAAA", "PTR", "CNAME", "ANY", "TXT", "SOA", "NS"]

    static func parse(_ p: StepParameters) throws -> DigStep {
        var search = false
        if let t = try p.optional("search", example: "true") {
            switch t.lowercased() {
            case "true", "yes", "on": search = true
            case "false", "no", "off": search = false
            default: throw p.error("\(p.what): 'search' must be true or false, not '\(t)'", at: p.keyNode("search"))
            }
        }
        let server = try p.optional("server", example: "ns1")
        let expectName = try p.optional("expect_name", example: "web.shop.svc.cluster.local")
        if expectName != nil && !search {
            throw p.error("\(p.what): 'expect_name' is the name that answered a search: it needs `search: true`", at: p.keyNode("expect_name"))
        }
        return DigStep(on: try p.required("on", example: "h1"), server: server ?? (search ? "resolv.conf" : "embedded"),
                       name: try p.required("name", example: "web.lab.test"),
                       type: (try p.optional("type", example: "A") ?? "A").uppercased(), expect: try p.resolveExpectation(),
                       search: search, expectName: expectName)
    }

    func validate(_ check: StepValidation) throws {
        try check.node(on, role: "on")
        if check.topology.kind(of: server) != .host && !check.isAddress(server) && server != "embedded" && !(search && server == "resolv.conf") {
            throw check.error("'server: \(server)' is not a host of this topology, an address or 'embedded'")
        }
        if !Self.types.contains(type) {
            throw check.error("type '\(type)' is not one of \(Self.types.joined(separator: ", "))")
        }
        try check.lookup(name, expect, reverse: type == "PTR", namesAnswer: true)
    }

    var title: String {
        search ? "dig +search \(type) \(name)\(server == "resolv.conf" ? "" : " @\(server)") on \(on) = \(expect.text)"
            + (expectName.map { " as \($0)" } ?? "")
            : "dig \(type) \(name) @\(server) on \(on) = \(expect.text)"
    }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        search ? try network.digSearch(on: on, server: server, name: name, type: type, expect: expect, expectName: expectName)
            : try network.dig(on: on, server: server, name: name, type: type, expect: expect)
    }
}

extension ExperimentAction {
    /// `dig`: one DNS query of `type` for `name`, sent from `on` to `server` (a host, an
    /// address or "embedded").
    public static func dig(on: String, server: String, name: String, type: String, expect: ResolveExpectation) -> ExperimentAction {
        ExperimentAction(DigStep(on: on, server: server, name: name, type: type, expect: expect))
    }

    /// `dig +search`: the names `on`'s resolv.conf makes of `name`, asked in a stub
    /// resolver's order of its first nameserver (or `server`) until one answers;
    /// `answeredAs`, when given, is the name that must answer.
    public static func digSearch(on: String, name: String, type: String = "A", server: String? = nil,
                                 expect: ResolveExpectation, answeredAs: String? = nil) -> ExperimentAction {
        ExperimentAction(DigStep(on: on, server: server ?? "resolv.conf", name: name, type: type, expect: expect,
                                 search: true, expectName: answeredAs))
    }
}
