import Foundation

/// OpenFlow datapath ids as written on the command line (`--switch user,dpid=1f`) and in
/// YAML (`dpid: 1f`): hex, as Mininet and Open vSwitch read them, so `10` is 0x10 (16).
/// The DSL's `dpid:` is a typed number: `Switch("s1", kind: .user, dpid: 0x10)` is the same
/// switch as YAML `dpid: 10`. Without a dpid, a user switch takes the number in its name
/// (`s12` is 12), as Mininet's switches do.

/// How a dpid is written, for messages.
public let dpidSyntax = "hex, up to 16 digits, above 0: 10 is 0x10; 0x1f and 00:00:00:00:00:00:00:1f work too"

/// Parses a datapath id: up to 16 hex digits with an optional `0x`, or the colon form
/// `00:00:00:00:00:00:00:01` (groups of two hex digits, up to eight).
/// - Returns: the id, or nil when the text is not one or is 0 (which names no switch).
public func parseDPID(_ text: String) -> UInt64? {
    var t = Substring(text.trimmingCharacters(in: .whitespaces))
    let digits: String
    if t.contains(":") {
        let groups = t.split(separator: ":", omittingEmptySubsequences: false)
        guard groups.count <= 8, groups.allSatisfy({ $0.count == 2 }) else { return nil }
        digits = groups.joined()
    } else {
        if t.hasPrefix("0x") || t.hasPrefix("0X") { t = t.dropFirst(2) }
        digits = String(t)
    }
    guard (1...16).contains(digits.count), digits.allSatisfy(\.isHexDigit),
          let value = UInt64(digits, radix: 16), value != 0 else { return nil }
    return value
}

/// A dpid as messages print it: `0x1f`.
public func formatDPID(_ dpid: UInt64) -> String {
    "0x" + String(dpid, radix: 16)
}
