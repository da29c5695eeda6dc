/// Yes-or-no settings as written in YAML (`stp: true`, `use_tbf: yes`, `autoaddress: on`)
/// and on the command line (`--link tc,use_tbf=1`, as Mininet's): one reading for both.

/// How a yes-or-no setting is written, for messages.
public let boolSyntax = "true or false (or yes/no, on/off, 1/0)"

/// Parses true/false, yes/no, on/off or 1/0, in any case; nil for anything else.
public func parseBool(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "yes", "on", "1": return true
    case "false", "no", "off", "0": return false
    default: return nil
    }
}
