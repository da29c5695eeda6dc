import Foundation
import Glibc
import Namespaces

/// What one experiment step did: passed or not, what was expected and what was seen.
public struct StepReport: Sendable, Codable {
    public var step: ExperimentStep
    public var passed: Bool
    /// What the step wanted ("a reply", "10.0.0.80").
    public var expected: String
    /// What happened the last time it was tried ("no reply", "10.0.0.81").
    public var observed: String
    public var duration: Duration
    /// How many times it was tried (more than 1 only with `within`).
    public var attempts: Int
    public var title: String { step.title }
}

/// A check that did not pass, as the Swift API throws it.
public struct CheckFailure: Error, CustomStringConvertible, Sendable {
    public var report: StepReport
    public var description: String {
        "\(report.title): expected \(report.expected), got \(report.observed)" + (report.attempts > 1 ? " (\(report.attempts) attempts)" : "")
    }
}

/// One evaluation of a step.
struct Observation {
    var passed: Bool
    var expected: String
    var observed: String
}

extension Network {
    /// Runs one step: an action once, a check until it passes or its `within` runs out
    /// (once without). Never throws: every failure is in the report.
    /// `isCancelled` (and `options.isCancelled`) is checked at least every 100 ms; a
    /// cancelled step ends at once and fails with "interrupted".
    public func runStep(_ step: ExperimentStep, isCancelled callerCancelled: @Sendable () -> Bool = { false }) -> StepReport {
        func isCancelled() -> Bool { callerCancelled() || isInterrupted }
        let start = ContinuousClock.now
        let deadline = step.within.map { start + $0 }
        var attempts = 0
        var last = Observation(passed: false, expected: "", observed: "")
        while true {
            attempts += 1
            do {
                last = try observe(step, isCancelled: isCancelled)
            } catch {
                last = Observation(passed: false, expected: last.expected.isEmpty ? "success" : last.expected, observed: "\(error)")
            }
            // `start` waits for its port itself; other actions are not retried.
            guard step.action.isCheck, !last.passed, let d = deadline, !isCancelled() else { break }
            if d - ContinuousClock.now <= .zero { break }
            // The next attempt in 200 ms (or when `within` ends), watching for Ctrl-C.
            let next = min(d, ContinuousClock.now + .milliseconds(200))
            while ContinuousClock.now < next && !isCancelled() {
                let left = next - ContinuousClock.now
                Thread.sleep(forTimeInterval: min(0.05, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18))
            }
            if isCancelled() { break }
        }
        return StepReport(step: step, passed: last.passed, expected: last.expected, observed: last.observed,
                          duration: ContinuousClock.now - start, attempts: attempts)
    }

    /// Runs every step of the topology's experiment in order.
    public func runExperiment(isCancelled: @Sendable () -> Bool = { false },
                              onStep: (StepReport) -> Void = { _ in }) -> [StepReport] {
        var reports: [StepReport] = []
        for step in topology.experiment {
            if isCancelled() || isInterrupted { break }
            let r = runStep(step, isCancelled: isCancelled)
            reports.append(r)
            onStep(r)
        }
        return reports
    }

    func observe(_ step: ExperimentStep, isCancelled: () -> Bool) throws -> Observation {
        try step.action.step.observe(in: self, within: step.within, isCancelled: isCancelled)
    }

    /// Whole milliseconds of a positive duration, at least 1 (for poll).
    func milliseconds(_ d: Duration) -> Int32 {
        Int32(clamping: max(1, d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000))
    }

    /// Text cut to one line of at most 200 characters, for reports.
    static func excerpt(_ text: String) -> String {
        let one = text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: "\\n")
        return one.count > 200 ? String(one.prefix(200)) + "…" : one
    }

    /// Starts a background shell command in a host; with `port`, waits until the host
    /// accepts TCP connections there (on its loopback or its address).
    func startServer(on node: String, command: String, port: Int?, timeout: Duration,
                     isCancelled: () -> Bool = { false }) throws -> Observation {
        let log = try stateFilePath("\(node).start.\(Network.stateCounter.next()).log")
        let pid = try startBackground(on: node, ["/bin/sh", "-c", command], output: log)
        guard let port else {
            return Observation(passed: true, expected: "started", observed: "started (pid \(pid))")
        }
        let expected = "a server accepting connections on port \(port) within \(formatDuration(timeout))"
        let deadline = ContinuousClock.now + timeout
        let ip = try address(of: node)
        while ContinuousClock.now < deadline {
            if isCancelled() || isInterrupted { throw NetworkError.interrupted }
            if try tcpConnect(from: node, to: "127.0.0.1", port: port, timeout: .milliseconds(200)) == "connected"
                || tcpConnect(from: node, to: ip, port: port, timeout: .milliseconds(200)) == "connected" {
                return Observation(passed: true, expected: expected, observed: "listening on port \(port)")
            }
            if !isProcessAlive(pid) {
                let out = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                return Observation(passed: false, expected: expected, observed: "the command exited; its output: \"\(Self.excerpt(out))\"")
            }
            usleep(50_000)
        }
        return Observation(passed: false, expected: expected, observed: "nothing listening on port \(port) after \(formatDuration(timeout))")
    }

    func isProcessAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// Opens a TCP connection from inside `node` to `address:port`.
    /// - Parameter isCancelled: checked every 100 ms while waiting, with `options.isCancelled`.
    /// - Returns: "connected", "refused", "timed out" or the error's text.
    /// - Throws: `NetworkError.interrupted` when cancelled while waiting.
    public func tcpConnect(from node: String, to address: String, port: Int, timeout: Duration,
                           isCancelled: () -> Bool = { false }) throws -> String {
        guard let target = SocketAddress(address, port: port) else { return "'\(address)' is not an address" }
        let fd = try withNetworkNamespace(namespaceFD(of: node)) {
            socket(target.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        }
        guard fd >= 0 else { throw NetworkError("cannot open a TCP socket in \(node): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let rc = target.connect(fd)
        if rc != 0 && errno != EINPROGRESS { return Self.connectError(errno) }
        if rc != 0 {
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let deadline = ContinuousClock.now + timeout
            while true {
                let left = deadline - ContinuousClock.now
                if left <= .zero { return "timed out after \(formatDuration(timeout))" }
                if isCancelled() || isInterrupted { throw NetworkError.interrupted }
                let n = poll(&p, 1, min(100, milliseconds(left)))
                if n > 0 { break }
                if n < 0 && errno != EINTR { return String(cString: strerror(errno)) }
            }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
            if err != 0 { return Self.connectError(err) }
        }
        return "connected"
    }

    static func connectError(_ e: Int32) -> String {
        switch e {
        case ECONNREFUSED: return "refused"
        case ETIMEDOUT: return "timed out"
        case EHOSTUNREACH: return "host unreachable"
        case ENETUNREACH: return "network unreachable"
        default: return String(cString: strerror(e))
        }
    }

    /// GET with curl inside the host (so the URL's name goes through its resolver).
    func httpGet(from node: String, url: String, status: Int, body: String?, isCancelled: () -> Bool = { false }) throws -> Observation {
        var expected = "status \(status)"
        if let b = body { expected += " and a body containing \"\(b)\"" }
        guard ProcessRuntime.resolve("curl") != nil else {
            return Observation(passed: false, expected: expected, observed: "curl is not installed: apt-get install -y curl")
        }
        let marker = "\nswiftnet-http-status:"
        let r = try run(on: node, ["curl", "-sS", "--max-time", "5", "-w", "\(marker)%{http_code}", url], timeout: .seconds(10), isCancelled: isCancelled)
        guard let range = r.stdout.range(of: marker, options: .backwards) else {
            return Observation(passed: false, expected: expected, observed: Self.excerpt(r.stderr.isEmpty ? r.stdout : r.stderr))
        }
        let code = Int(r.stdout[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let content = String(r.stdout[..<range.lowerBound])
        if code == 0 {
            return Observation(passed: false, expected: expected, observed: Self.excerpt(r.stderr))
        }
        let bodyOK = body.map { content.contains($0) } ?? true
        var observed = "status \(code)"
        if !bodyOK { observed += ", body \"\(Self.excerpt(content))\"" }
        return Observation(passed: code == status && bodyOK, expected: expected, observed: observed)
    }

    /// Looks a name up through the host's own resolver: `getent ahosts NAME`, which
    /// calls getaddrinfo as programs do (search list, ndots, /etc/hosts, nameservers).
    func resolve(on node: String, name: String, expect: ResolveExpectation, isCancelled: () -> Bool = { false }) throws -> Observation {
        let r = try run(on: node, ["getent", "ahosts", name], timeout: .seconds(30), isCancelled: isCancelled)
        var seen: [String] = []
        for line in r.stdout.split(separator: "\n") {
            if let a = line.split(separator: " ").first.map(String.init), !seen.contains(a) { seen.append(a) }
        }
        let observed: String
        if r.exitStatus == 2 { observed = "nxdomain (not found)" }
        else if r.succeeded { observed = seen.joined(separator: ", ") }
        else { observed = "getent failed: \(Self.excerpt(r.stderr + r.stdout))" }
        switch expect {
        case .nxdomain:
            return Observation(passed: r.exitStatus == 2, expected: "nxdomain", observed: observed)
        case .anyAddress:
            return Observation(passed: r.succeeded && !seen.isEmpty, expected: "an address", observed: observed)
        case .addresses(let want):
            let ok = r.succeeded && want.allSatisfy { w in seen.contains { Self.sameAddress($0, w) } }
            return Observation(passed: ok, expected: want.joined(separator: ", "), observed: observed)
        }
    }

    /// Compares addresses by value ("fd00::1" and "fd00:0::1" are the same).
    static func sameAddress(_ a: String, _ b: String) -> Bool {
        a == b || IPAddress(a).map { $0 == IPAddress(b) } == true
    }
}
