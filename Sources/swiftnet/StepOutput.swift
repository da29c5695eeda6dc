import Foundation
import Swiftnet

/// One line per experiment step, as `swiftnet test` and `swiftnet run` print them:
/// `  ok    #2 ping h1 -> h2  (0.004 s)`, and for a failure a second line with what was
/// expected, what happened, and where the step is written.
func stepLine(_ r: StepReport, index: Int) -> String {
    let mark = r.passed ? "ok  " : "FAIL"
    var line = "  \(mark)  #\(index) \(r.title)  (\(String(format: "%.3f", seconds(r.duration))) s"
    if r.attempts > 1 { line += ", \(r.attempts) attempts" }
    line += ")"
    if !r.passed {
        line += "\n        expected \(r.expected), got \(r.observed)"
        if let loc = r.step.location { line += "  [\(loc)]" }
    }
    return line
}

/// "N passed, N failed".
func summaryLine(passed: Int, failed: Int) -> String { "\(passed) passed, \(failed) failed" }
