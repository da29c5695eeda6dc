import Foundation

/// `sleep: 500ms`: waits (Ctrl-C ends it early, as a failure).
struct SleepStep: StepKind {
    var duration: Duration

    static let keyword = "sleep"
    static let keys: [String]? = nil
    static let example = "sleep: 10ms"
    static let isCheck = false

    static func parse(_ p: StepParameters) throws -> SleepStep {
        guard let d = p.reader.stepDuration(p.value) else {
            throw p.error("\(p.what) needs a number with a unit (\(durationUnits)) up to 24h, such as `sleep: 500ms` or `sleep: 2s`; found \(p.reader.describe(p.value))")
        }
        return SleepStep(duration: d)
    }

    var title: String { "sleep \(formatDuration(duration))" }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            if isCancelled() { return Observation(passed: false, expected: "a full sleep", observed: "interrupted") }
            let left = end - ContinuousClock.now
            Thread.sleep(forTimeInterval: min(0.05, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18))
        }
        return Observation(passed: true, expected: "", observed: "slept")
    }
}

extension ExperimentAction {
    /// `sleep`: waits this long.
    public static func sleep(_ duration: Duration) -> ExperimentAction {
        ExperimentAction(SleepStep(duration: duration))
    }
}
