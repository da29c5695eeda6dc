import Foundation

/// Durations as written everywhere a topology or a command takes one: a link's `delay`
/// and `jitter` (YAML `delay: 5ms`, the DSL's `delay: "5ms"`, `--link tc,delay=5ms`, the
/// shell's `link h1 s1 delay=5ms`) and an experiment's `sleep`, `within` and `timeout`.
///
/// A duration is a number with a unit: `us` (or `µs`), `ms`, `s`, `m` or `h`, as in
/// `100us`, `5ms`, `1.5s`, `2m`. A bare number other than 0 is refused rather than
/// guessed: Mininet's users mean milliseconds by `delay=10`, tc means microseconds, and a
/// timeout of 10 reads as seconds.

/// The units a duration takes, for messages.
public let durationUnits = "us, ms, s, m or h"

/// Parses a duration: a number (digits and at most one '.') with a unit (`us`, `µs`,
/// `ms`, `s`, `m`, `h`), or a bare 0.
/// - Returns: the duration to the microsecond, or nil when the text is not one (a bare
///   number other than 0, a negative number, no number, an unknown unit).
public func parseDuration(_ text: String) -> Duration? {
    let t = text.trimmingCharacters(in: .whitespaces)
    func number(_ s: Substring) -> Double? {
        guard s.contains(where: { $0.isASCII && $0.isNumber }), s.filter({ $0 == "." }).count <= 1,
              s.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "." }) else { return nil }
        return Double(s)
    }
    // "ms" before "s" and "m": the first suffix that matches is the unit.
    let units: [(String, Double)] = [("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
    for (suffix, seconds) in units where t.hasSuffix(suffix) {
        guard let v = number(t.dropLast(suffix.count)), v * seconds < 1e12 else { return nil }
        return .microseconds(Int64((v * seconds * 1e6).rounded()))
    }
    return number(Substring(t)) == 0 ? .zero : nil
}

/// A duration in whole microseconds (the unit of netem and of `LinkShaping`).
func microseconds(_ d: Duration) -> Int64 {
    d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
}

/// "500ms", "2s", "1.5s": the shortest way to write a duration.
public func formatDuration(_ d: Duration) -> String {
    let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    if ms < 1 { return "\(Int((ms * 1000).rounded()))us" }
    if ms < 1000 || ms.truncatingRemainder(dividingBy: 1000) != 0 && ms < 10_000 {
        return ms < 1000 ? "\(Int(ms.rounded()))ms" : String(format3(ms / 1000)) + "s"
    }
    return "\(Int((ms / 1000).rounded()))s"
}

private func format3(_ v: Double) -> String {
    var s = String(Int((v * 1000).rounded()))
    while s.count < 4 { s = "0" + s }
    let i = s.index(s.endIndex, offsetBy: -3)
    var out = s[..<i] + "." + s[i...]
    while out.hasSuffix("0") { out.removeLast() }
    if out.hasSuffix(".") { out.removeLast() }
    return String(out)
}
