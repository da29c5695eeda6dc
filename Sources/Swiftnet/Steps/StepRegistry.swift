/// The experiment step kinds, in the order error messages list them. Adding a kind: its
/// file in `Steps/` and one line here (see `StepKind`).
enum StepRegistry {
    static let kinds: [any StepKind.Type] = [
        StartStep.self,
        PingStep.self,
        TCPStep.self,
        HTTPStep.self,
        ResolveStep.self,
        DigStep.self,
        ResolvStep.self,
        RunStep.self,
        LinkStep.self,
        SleepStep.self,
        RouteStep.self,
        PathStep.self,
        TracerouteStep.self,
        ConvergeStep.self,
    ]

    /// The YAML keys of the kinds.
    static var keywords: [String] { kinds.map { $0.keyword } }

    /// The kind with this YAML key.
    static func kind(named keyword: String) -> (any StepKind.Type)? {
        kinds.first { $0.keyword == keyword }
    }
}
