import Foundation

/// The outcome of one experiment file: its steps' reports, or why it could not be built.
public struct ExperimentReport: Sendable {
    /// The file (or a name for experiments run from Swift).
    public var file: String
    /// The topology's name.
    public var name: String
    public var steps: [StepReport]
    /// Set when the network could not be built; the steps then did not run.
    public var buildError: String?
    public var buildTime: Duration
    /// From the start of the build to the end of the teardown.
    public var duration: Duration
    /// When the run began.
    public var timestamp: Date

    public init(file: String, name: String, steps: [StepReport] = [], buildError: String? = nil,
                buildTime: Duration = .zero, duration: Duration = .zero, timestamp: Date = Date()) {
        self.file = file
        self.name = name
        self.steps = steps
        self.buildError = buildError
        self.buildTime = buildTime
        self.duration = duration
        self.timestamp = timestamp
    }

    public var passed: Int { steps.filter(\.passed).count }
    /// Failed steps, plus one for a network that could not be built.
    public var failed: Int { steps.filter { !$0.passed }.count + (buildError == nil ? 0 : 1) }
}

private func secs(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters): one
/// `testsuite` per file, one `testcase` per step, `failure` for a failed check and
/// `error` for a failed action or a network that could not be built.
public enum JUnitReport {
    public static func xml(_ reports: [ExperimentReport]) -> String {
        let tests = reports.reduce(0) { $0 + $1.steps.count + ($1.buildError == nil ? 0 : 1) }
        let failures = reports.reduce(0) { $0 + $1.steps.filter { !$0.passed && $0.step.action.isCheck }.count }
        let errors = reports.reduce(0) { $0 + $1.steps.filter { !$0.passed && !$0.step.action.isCheck }.count + ($1.buildError == nil ? 0 : 1) }
        let total = reports.reduce(0.0) { $0 + secs($1.duration) }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"swiftnet\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\(attr(fmt(total)))>\n"
        let iso = ISO8601DateFormatter()
        for r in reports {
            let f = r.steps.filter { !$0.passed && $0.step.action.isCheck }.count
            let e = r.steps.filter { !$0.passed && !$0.step.action.isCheck }.count + (r.buildError == nil ? 0 : 1)
            out += "  <testsuite name=\(attr(r.name)) tests=\"\(r.steps.count + (r.buildError == nil ? 0 : 1))\" failures=\"\(f)\" errors=\"\(e)\" skipped=\"0\""
            out += " time=\(attr(fmt(secs(r.duration)))) timestamp=\(attr(iso.string(from: r.timestamp))) file=\(attr(r.file))>\n"
            out += "    <properties>\n      <property name=\"file\" value=\(attr(r.file))/>\n"
            out += "      <property name=\"build_seconds\" value=\(attr(fmt(secs(r.buildTime))))/>\n    </properties>\n"
            if let err = r.buildError {
                out += "    <testcase classname=\(attr(r.name)) name=\"build\" time=\(attr(fmt(secs(r.buildTime)))) file=\(attr(r.file))>\n"
                out += "      <error message=\(attr(err)) type=\"BuildFailed\">\(text(err))</error>\n    </testcase>\n"
            }
            for (i, s) in r.steps.enumerated() {
                let line = s.step.location.map { " line=\"\($0.line)\"" } ?? ""
                out += "    <testcase classname=\(attr(r.name)) name=\(attr("#\(i + 1) \(s.title)")) time=\(attr(fmt(secs(s.duration)))) file=\(attr(r.file))\(line)"
                if s.passed {
                    out += "/>\n"
                    continue
                }
                let message = "expected \(s.expected), got \(s.observed)"
                let kind = s.step.action.isCheck ? "failure" : "error"
                var detail = message
                if let loc = s.step.location { detail += "\nat \(loc)" }
                if s.attempts > 1 { detail += "\n\(s.attempts) attempts" }
                out += ">\n      <\(kind) message=\(attr(message)) type=\(attr(s.step.action.kind))>\(text(detail))</\(kind)>\n    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    static func fmt(_ v: Double) -> String { String(format: "%.3f", v) }

    /// A quoted XML attribute value.
    static func attr(_ s: String) -> String { "\"" + escape(s, quotes: true) + "\"" }
    static func text(_ s: String) -> String { escape(s, quotes: false) }

    static func escape(_ s: String, quotes: Bool) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "\n" where quotes: out += "&#10;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                // XML 1.0 cannot carry other control characters at all.
                if u.value < 0x20 || (0xFFFE...0xFFFF).contains(u.value) { out += "?" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}

/// The JSON report: the same facts as the JUnit file, shaped for scripts.
public enum JSONReport {
    struct Step: Codable {
        var index: Int
        var kind: String
        var title: String
        var check: Bool
        var passed: Bool
        var expected: String
        var observed: String
        var seconds: Double
        var attempts: Int
        var line: Int?
    }
    struct File: Codable {
        var file: String
        var name: String
        var passed: Int
        var failed: Int
        var build_error: String?
        var build_seconds: Double
        var seconds: Double
        var steps: [Step]
    }
    struct Root: Codable {
        var passed: Int
        var failed: Int
        var files: [File]
    }

    public static func json(_ reports: [ExperimentReport]) -> String {
        let files = reports.map { r in
            File(file: r.file, name: r.name, passed: r.passed, failed: r.failed, build_error: r.buildError,
                 build_seconds: secs(r.buildTime), seconds: secs(r.duration),
                 steps: r.steps.enumerated().map { i, s in
                     Step(index: i + 1, kind: s.step.action.kind, title: s.title, check: s.step.action.isCheck, passed: s.passed,
                          expected: s.expected, observed: s.observed, seconds: secs(s.duration), attempts: s.attempts,
                          line: s.step.location?.line)
                 })
        }
        let root = Root(passed: files.reduce(0) { $0 + $1.passed }, failed: files.reduce(0) { $0 + $1.failed }, files: files)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? enc.encode(root)) ?? Data(), as: UTF8.self) + "\n"
    }
}
