import Foundation

/// One kind of experiment step (`ping`, `route`, `sleep`, ...): everything about it in one
/// type, which `StepRegistry.kinds` lists.
///
/// The YAML reader, the validation against the topology, the runner, the reports and the
/// Swift API (`ExperimentAction`, `ExperimentStep`) all go through the registry; none of
/// them names a kind.
///
/// To add a step kind:
/// 1. Write `Steps/NameStep.swift` with a struct conforming to `StepKind`: its
///    parameters as stored properties, `keyword` and `keys` (its YAML key and the keys of
///    its mapping, `within` among them if a check may be retried), an `example` (a
///    minimal step, parsed by the tests), `isCheck`, `parse` (from the YAML mapping, with
///    `StepParameters`' helpers, which give file:line errors), `validate` (against the
///    validated topology, with `StepValidation`'s helpers), `title` (as reports print
///    it) and `observe` (one run of the step inside the network).
/// 2. Add one line naming the type to `StepRegistry.kinds`.
///
/// For Swift callers, the same file may add a factory (`extension ExperimentAction {
/// public static func name(...) }`) and an `expectName` method on `Network`.
protocol StepKind: Hashable, Sendable, Codable {
    /// The step's key in `experiment:` (`ping`); also its `kind` in reports.
    static var keyword: String { get }
    /// The keys of the step's mapping, in the order error messages list them (with
    /// `within` when the step takes it); nil for a step written as one value
    /// (`sleep: 500ms`), which then reads `StepParameters.value` itself.
    static var keys: [String]? { get }
    /// A minimal step as written in YAML, without the leading `- ` (`ping: {from: h1,
    /// to: h2}`), valid against a topology of hosts h1, h2 and h3, switch s1 and routers r1 and r2.
    static var example: String { get }
    /// True for a check (observes the network, retried with `within`), false for an
    /// action (changes it, runs once).
    static var isCheck: Bool { get }

    /// Reads the step from its YAML value. `within` is already read (into
    /// `parameters.within`) when `keys` has it; a kind may set it otherwise.
    static func parse(_ parameters: StepParameters) throws -> Self

    /// Checks the step against the validated topology; throws `TopologyError`, made by
    /// `check.error(...)`, at the step's line.
    func validate(_ check: StepValidation) throws

    /// The step as reports and JUnit name it: "ping h1 -> h2".
    var title: String { get }

    /// Runs the step once in `network` (`within`: the step's own, for a step that waits
    /// itself). Checks `isCancelled` while waiting; throws for a step that could not run.
    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation
}

extension StepKind {
    func validate(_ check: StepValidation) throws {}
}
