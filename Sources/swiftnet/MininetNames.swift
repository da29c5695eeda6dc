import Foundation

/// Mininet's names for `--switch`, `--controller` and `--link`, mapped to the nearest
/// thing swiftnet has, with the line that says so (nil when the name is swiftnet's own).
enum MininetNames {
    /// `ovsk,protocols=OpenFlow13` → `user,protocols=OpenFlow13`.
    static func switchOption(_ option: String) -> (option: String, note: String?) {
        var parts = option.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let kind = parts.isEmpty ? "" : parts.removeFirst()
        // Mininet spells the fail mode failMode=.
        parts = parts.map { $0.hasPrefix("failMode=") ? "failmode=" + $0.dropFirst("failMode=".count) : $0 }
        let rest = parts.isEmpty ? "" : "," + parts.joined(separator: ",")
        switch kind {
        case "default", "ovsk", "ovs", "ovsl":
            return ("user" + rest, "*** --switch \(kind): Open vSwitch is not used here; swiftnet's user switch, an OpenFlow 1.0/1.3 switch in userspace, takes its place")
        case "ovsbr":
            guard parts.isEmpty else { return ("lxbr" + rest, nil) }
            return ("lxbr", "*** --switch ovsbr: a Linux bridge (lxbr) takes the place of Open vSwitch's bridge mode")
        default:
            return (option, nil)
        }
    }

    /// `ref`, `ovsc`, `default` → none (a user switch without a controller learns MACs,
    /// which is what those controllers make a switch do).
    static func controllerOption(_ option: String) -> (option: String, note: String?) {
        let kind = option.split(separator: ",").first.map(String.init) ?? option
        switch kind {
        case "default", "ref", "ovsc", "nox":
            return ("none", "*** --controller \(kind): no controller process; swiftnet's switches learn MACs themselves, as that controller would make them")
        default:
            return (option, nil)
        }
    }

    /// `tcu,bw=10` → `tc,bw=10`; `default` → no shaping.
    static func linkOption(_ option: String) -> (option: String?, note: String?) {
        if option == "default" { return (nil, nil) }
        if option == "tcu" || option.hasPrefix("tcu,") {
            return ("tc" + option.dropFirst(3), "*** --link tcu: shaped as tc (both ends of every link)")
        }
        return (option, nil)
    }
}
