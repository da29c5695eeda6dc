/// `run: {on: h1, cmd: "cat /etc/resolv.conf", expect_output: "ndots:5"}`: a shell
/// command; passes when its exit status is `expect_exit` (0 by default) and its output
/// contains `expect_output`.
struct RunStep: StepKind {
    var on: String
    var command: String
    var expectOutput: String?
    var expectExit: Int

    static let keyword = "run"
    static let keys: [String]? = ["on", "cmd", "expect_output", "expect_exit", "within"]
    static let example = "run: {on: h1, cmd: \"true\"}"
    static let isCheck = true

    static func parse(_ p: StepParameters) throws -> RunStep {
        RunStep(on: try p.required("on", example: "h1"), command: try p.required("cmd", example: "\"cat /etc/resolv.conf\""),
                expectOutput: try p.optional("expect_output", example: "ndots:5"),
                expectExit: try p.number("expect_exit", example: "0") ?? 0)
    }

    func validate(_ check: StepValidation) throws {
        try check.node(on, role: "on")
        try check.command(command, key: "cmd", what: "give a shell command")
    }

    var title: String { "run on \(on): \(command)" }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        let r = try network.shell(on: on, command, timeout: .seconds(60), isCancelled: isCancelled)
        let text = r.stdout + r.stderr
        let statusOK = r.exitStatus.map { Int($0) == expectExit } ?? false
        let outputOK = expectOutput.map { text.contains($0) } ?? true
        var expected = "exit status \(expectExit)"
        if let o = expectOutput { expected += " and output containing \"\(o)\"" }
        var observed = r.timedOut ? "timed out after 60 s" : r.exitStatus.map { "exit status \($0)" } ?? "killed by signal \(r.signal ?? 0)"
        if !outputOK || !statusOK { observed += ", output: \"\(Network.excerpt(text))\"" }
        return Observation(passed: statusOK && outputOK, expected: expected, observed: observed)
    }
}

extension ExperimentAction {
    /// `run`: a shell command in `on` exits with `expectExit` and its output contains `expectOutput`.
    public static func run(on: String, command: String, expectOutput: String?, expectExit: Int) -> ExperimentAction {
        ExperimentAction(RunStep(on: on, command: command, expectOutput: expectOutput, expectExit: expectExit))
    }
}

extension Network {
    /// A shell command in `host` exits with `exitStatus` and its output contains `contains`.
    /// - Returns: the step's report (its `observed` text).
    @discardableResult
    public func expectCommand(on host: String, _ command: String, outputContains contains: String? = nil,
                              exitStatus: Int = 0, within: Duration? = nil) async throws -> StepReport {
        try await expect(.run(on: host, command: command, expectOutput: contains, expectExit: exitStatus), within: within)
    }
}
