/// `converge: {timeout: 60s}`: every router has a route to every subnet of every router
/// (read from the kernel FIBs), retried up to `timeout` (60 s by default).
struct ConvergeStep: StepKind {
    static let keyword = "converge"
    static let keys: [String]? = ["timeout"]
    static let example = "converge: {timeout: 1s}"
    static let isCheck = true

    static func parse(_ p: StepParameters) throws -> ConvergeStep {
        p.within = try p.duration("timeout", example: "60s") ?? .seconds(60)
        return ConvergeStep()
    }

    func validate(_ check: StepValidation) throws {
        if check.topology.routers.isEmpty {
            throw check.error("there are no routers to converge")
        }
    }

    var title: String { "converge" }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        let missing = try network.missingRoutes()
        let text = missing.isEmpty ? "every router reaches every subnet"
            : missing.sorted { naturalLess($0.key, $1.key) }.map { "\($0.key) lacks \($0.value.joined(separator: ", "))" }.joined(separator: "; ")
        return Observation(passed: missing.isEmpty, expected: "every router reaches every subnet", observed: text)
    }
}

extension ExperimentAction {
    /// `converge`: every router reaches every router subnet (give the time with `within`).
    public static var converge: ExperimentAction { ExperimentAction(ConvergeStep()) }
}
