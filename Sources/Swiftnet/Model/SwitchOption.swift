extension Topology {
    /// Applies the command line's `--switch KIND[,key=value...]` to every switch:
    /// `lxbr`, or `user` with `protocols=` (`parseList`), `failmode=` and `dpid=`
    /// (`parseDPID`: hex, as YAML's `dpid:`), the same parsers as YAML's keys.
    /// - Throws: `TopologyError` for an unknown kind or setting, or a bad value.
    public mutating func applySwitchOption(_ option: String) throws(TopologyError) {
        var parts = option.split(separator: ",").map(String.init)
        guard !parts.isEmpty, let kind = SwitchKind(rawValue: parts.removeFirst()) else {
            throw TopologyError("the kind does not exist: use lxbr (Linux bridges) or user (swiftnet's userspace switch)")
        }
        for i in switches.indices { switches[i].kind = kind }
        for p in parts {
            let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, kind == .user else {
                throw TopologyError("'\(p)' is not a setting of \(kind.rawValue); user takes protocols=, failmode= and dpid=")
            }
            switch kv[0] {
            case "protocols":
                let list = try OpenFlowProtocol.parseList(kv[1])
                for i in switches.indices { switches[i].protocols = list }
            case "failmode", "fail-mode", "fail_mode":
                guard let m = FailMode(rawValue: kv[1]) else {
                    throw TopologyError("failmode '\(kv[1])' does not exist; use secure or standalone")
                }
                for i in switches.indices { switches[i].failMode = m }
            case "dpid":
                guard let d = parseDPID(kv[1]) else {
                    throw TopologyError("dpid '\(kv[1])' is not a dpid; write it in \(dpidSyntax)")
                }
                guard switches.count == 1 else {
                    throw TopologyError("dpid= names one switch's id, and this topology has \(switches.count) switches; set dpid per switch in a YAML file")
                }
                switches[0].dpid = d
            default:
                throw TopologyError("unknown setting '\(kv[0])'; user takes protocols=, failmode= and dpid=")
            }
        }
    }
}
