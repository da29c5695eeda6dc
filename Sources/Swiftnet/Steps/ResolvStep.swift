/// `resolv: {on: pod1, expect_nameservers: [10.96.0.10], expect_search: [...], expect_options: [ndots:5]}`:
/// the host's /etc/resolv.conf, as programs in it read it, says exactly these
/// nameservers, search domains and options, in this order (each list optional).
struct ResolvStep: StepKind {
    var on: String
    var nameservers: [String]?
    var search: [String]?
    var options: [String]?

    static let keyword = "resolv"
    static let keys: [String]? = ["on", "expect_nameservers", "expect_search", "expect_options", "within"]
    static let example = "resolv: {on: h1, expect_nameservers: [127.0.0.11], expect_options: [ndots:5]}"
    static let isCheck = true

    static func parse(_ p: StepParameters) throws -> ResolvStep {
        let step = ResolvStep(on: try p.required("on", example: "h1"),
                              nameservers: try p.list("expect_nameservers", example: "expect_nameservers: [10.96.0.10]"),
                              search: try p.list("expect_search", example: "expect_search: [default.svc.cluster.local]"),
                              options: try p.list("expect_options", example: "expect_options: [ndots:5]"))
        if step.nameservers == nil && step.search == nil && step.options == nil {
            throw p.error("\(p.what) needs at least one of expect_nameservers, expect_search and expect_options, such as `\(example)`")
        }
        return step
    }

    func validate(_ check: StepValidation) throws {
        try check.node(on, role: "on")
    }

    var title: String {
        var parts: [String] = []
        if let n = nameservers { parts.append("nameservers [\(n.joined(separator: " "))]") }
        if let s = search { parts.append("search [\(s.joined(separator: " "))]") }
        if let o = options { parts.append("options [\(o.joined(separator: " "))]") }
        return "resolv.conf on \(on): " + parts.joined(separator: ", ")
    }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        let r = try network.run(on: on, ["cat", "/etc/resolv.conf"], timeout: .seconds(10), isCancelled: isCancelled)
        guard r.exitStatus == 0 else {
            return Observation(passed: false, expected: title, observed: "cat /etc/resolv.conf: exit \(r.exitStatus.map(String.init) ?? "by a signal") \(r.stderr)")
        }
        let conf = ResolvConfFile(text: r.stdout)
        let seen = (nameservers: conf.nameservers, search: conf.resolverSearch, options: conf.options.map(\.text))
        var passed = true
        var expected: [String] = []
        if let n = nameservers { passed = passed && n == seen.nameservers; expected.append("nameservers [\(n.joined(separator: " "))]") }
        if let s = search { passed = passed && s == seen.search; expected.append("search [\(s.joined(separator: " "))]") }
        if let o = options { passed = passed && o == seen.options; expected.append("options [\(o.joined(separator: " "))]") }
        let observed = "nameservers [\(seen.nameservers.joined(separator: " "))], search [\(seen.search.joined(separator: " "))], "
            + "options [\(seen.options.joined(separator: " "))]"
        return Observation(passed: passed, expected: expected.joined(separator: ", "), observed: observed)
    }
}

extension ExperimentAction {
    /// `resolv`: `on`'s resolv.conf says exactly these nameservers, search domains and
    /// options (nil: not checked).
    public static func resolv(on: String, nameservers: [String]? = nil, search: [String]? = nil,
                              options: [String]? = nil) -> ExperimentAction {
        ExperimentAction(ResolvStep(on: on, nameservers: nameservers, search: search, options: options))
    }
}
