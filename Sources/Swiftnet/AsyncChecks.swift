import Dispatch

/// The experiment checks as a Swift API, for XCTest and Swift Testing:
///
/// ```swift
/// let net = Network(try topology.validated())
/// try net.start()
/// defer { net.stop() }
/// try await net.expectPing(from: "h1", to: "h2")
/// try await net.expectResolve(on: "h1", "web", is: "10.0.0.80", within: .seconds(5))
/// ```
///
/// Each throws `CheckFailure` (expected and observed, as `swiftnet test` prints them)
/// and runs on a thread of its own, never blocking the caller's executor. `within`
/// retries the check until it passes or the time is up. The `expect...` methods of each
/// step kind are in its file in `Steps/`.
extension Network {
    /// Runs a step off the caller's executor and returns its report.
    public func check(_ step: ExperimentStep) async -> StepReport {
        await withCheckedContinuation { (c: CheckedContinuation<StepReport, Never>) in
            DispatchQueue.global().async { c.resume(returning: self.runStep(step)) }
        }
    }

    /// Runs a step; throws `CheckFailure` when it does not pass.
    @discardableResult
    public func expect(_ action: ExperimentAction, within: Duration? = nil) async throws -> StepReport {
        let r = await check(ExperimentStep(action, within: within))
        if !r.passed { throw CheckFailure(report: r) }
        return r
    }
}
