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
/// retries the check until it passes or the time is up.
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

    /// One ICMP echo from `source` to a node or address gets a reply (or, with
    /// `succeeds: false`, does not).
    public func expectPing(from source: String, to target: String, succeeds: Bool = true, within: Duration? = nil) async throws {
        try await expect(.ping(from: source, to: target, expectSuccess: succeeds), within: within)
    }

    /// A TCP connection from `source` to `target:port` is accepted (or not).
    public func expectTCP(from source: String, to target: String, port: Int, succeeds: Bool = true, within: Duration? = nil) async throws {
        try await expect(.tcp(from: source, to: target, port: port, expectSuccess: succeeds), within: within)
    }

    /// `curl URL` inside `source` answers with `status` (and a body containing `bodyContains`).
    public func expectHTTP(from source: String, url: String, status: Int = 200, bodyContains: String? = nil,
                           within: Duration? = nil) async throws {
        try await expect(.http(from: source, url: url, expectStatus: status, expectBody: bodyContains), within: within)
    }

    /// `name` resolves, through `host`'s own resolver (`getent ahosts`), to `address`
    /// among its answers.
    public func expectResolve(on host: String, _ name: String, is address: String, within: Duration? = nil) async throws {
        try await expect(.resolve(on: host, name: name, expect: .addresses([address])), within: within)
    }

    /// `name` does not resolve through `host`'s resolver.
    public func expectNXDOMAIN(on host: String, _ name: String, within: Duration? = nil) async throws {
        try await expect(.resolve(on: host, name: name, expect: .nxdomain), within: within)
    }

    /// A shell command in `host` exits with `exitStatus` and its output contains `contains`.
    /// - Returns: the step's report (its `observed` text).
    @discardableResult
    public func expectCommand(on host: String, _ command: String, outputContains contains: String? = nil,
                              exitStatus: Int = 0, within: Duration? = nil) async throws -> StepReport {
        try await expect(.run(on: host, command: command, expectOutput: contains, expectExit: exitStatus), within: within)
    }
}
