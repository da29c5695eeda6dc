import Foundation
import OpenFlow

/// What the shell's `dpctl` and `switch` commands ask of the user switches.
extension Network {
    private func userSwitch(_ name: String) throws -> (UserDatapath, UserDatapath.Switch) {
        guard let s = topology.switches.first(where: { $0.name == name }) else { throw NetworkError("no switch '\(name)'") }
        guard s.kind == .user else {
            throw NetworkError("\(name) is a Linux bridge, which has no flow table or OpenFlow ports: use --switch user")
        }
        guard let dp = lock.withLock({ datapath }), let sw = dp.switches.first(where: { $0.name == name }) else {
            throw NetworkError("the network is not running")
        }
        return (dp, sw)
    }

    /// The flow entries of a user switch, as `ovs-ofctl dump-flows` prints them.
    public func dumpFlows(_ name: String) throws -> String {
        let (dp, sw) = try userSwitch(name)
        return dp.sync {
            let flows = dp.flowStats(sw)
            var lines = ["\(sw.isOpenFlow ? "OFPST_FLOW reply" : "learning switch, no controller:") \(flows.count) flows"]
            for f in flows { lines.append(" " + FlowText.describe(f)) }
            return lines.joined(separator: "\n")
        }
    }

    /// Port counters of a user switch, as `ovs-ofctl dump-ports` prints them.
    public func dumpPorts(_ name: String) throws -> String {
        let (dp, sw) = try userSwitch(name)
        return dp.sync {
            let stats = dp.portStats(sw)
            var lines = ["OFPST_PORT reply: \(stats.count) ports"]
            for p in stats {
                lines.append(String(format: "  port %2u: rx pkts=%llu, bytes=%llu, drop=%llu, errs=%llu", p.portNo.rawValue,
                                    p.rxPackets, p.rxBytes, p.rxDropped, p.rxErrors))
                lines.append(String(format: "           tx pkts=%llu, bytes=%llu, drop=%llu, errs=%llu",
                                    p.txPackets, p.txBytes, p.txDropped, p.txErrors))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Flow entries of a user switch as values, for tests and scripts.
    public func flowCount(_ name: String) throws -> Int {
        let (dp, sw) = try userSwitch(name)
        return dp.sync { sw.tables.flowCount }
    }

    /// Stops a user switch (it forwards nothing, closes its controller connection and
    /// forgets its flows and MAC table, as a switch that is switched off), or starts it
    /// again (it reconnects to the controller with empty tables).
    public func setSwitch(_ name: String, running: Bool) throws {
        let (dp, sw) = try userSwitch(name)
        if !running { sw.connection?.stop() }
        dp.sync {
            sw.running = running
            if !running {
                sw.tables.removeAll()
                sw.macs.removeAll()
                dp.connectionChanged(sw, version: nil)
            }
        }
        if running { sw.connection?.start() }
    }
}

/// Flow entries in the words of `ovs-ofctl dump-flows`.
enum FlowText {
    static func describe(_ f: OFFlowStats) -> String {
        var head = "cookie=0x\(String(f.cookie, radix: 16)), duration=\(f.durationSec).\(String(format: "%03u", f.durationNsec / 1_000_000))s, table=\(f.tableID), n_packets=\(f.packetCount), n_bytes=\(f.byteCount), "
        if f.idleTimeout != 0 { head += "idle_timeout=\(f.idleTimeout), " }
        if f.hardTimeout != 0 { head += "hard_timeout=\(f.hardTimeout), " }
        let m = match(f.match)
        return head + "priority=\(f.priority)" + (m.isEmpty ? "" : ",\(m)") + " actions=" + instructions(f.instructions)
    }

    static func match(_ m: OFMatch) -> String {
        m.entries.map { v, k in
            let name: String, value: String
            switch v {
            case .inPort(let p): name = "in_port"; value = "\(p.rawValue)"
            case .ethDst(let a): name = "dl_dst"; value = "\(a)"
            case .ethSrc(let a): name = "dl_src"; value = "\(a)"
            case .ethType(let t): name = "dl_type"; value = "0x" + String(format: "%04x", t)
            case .vlanVID(let x): name = "dl_vlan"; value = x == OFMatch.vlanNone ? "none" : "\(x & 0x0FFF)"
            case .vlanPCP(let x): name = "dl_vlan_pcp"; value = "\(x)"
            case .ipDSCP(let x): name = "nw_tos"; value = "\(Int(x) << 2)"
            case .ipProto(let x): name = "nw_proto"; value = "\(x)"
            case .ipv4Src(let a): name = "nw_src"; value = "\(a)"
            case .ipv4Dst(let a): name = "nw_dst"; value = "\(a)"
            case .tcpSrc(let x), .udpSrc(let x): name = "tp_src"; value = "\(x)"
            case .tcpDst(let x), .udpDst(let x): name = "tp_dst"; value = "\(x)"
            case .icmpv4Type(let x): name = "icmp_type"; value = "\(x)"
            case .icmpv4Code(let x): name = "icmp_code"; value = "\(x)"
            case .arpOp(let x): name = "arp_op"; value = "\(x)"
            case .arpSpa(let a): name = "arp_spa"; value = "\(a)"
            case .arpTpa(let a): name = "arp_tpa"; value = "\(a)"
            case .ipv6Src(let a): name = "ipv6_src"; value = "\(a)"
            case .ipv6Dst(let a): name = "ipv6_dst"; value = "\(a)"
            }
            guard let k else { return "\(name)=\(value)" }
            return "\(name)=\(value)/\(mask(k))"
        }.joined(separator: ",")
    }

    private static func mask(_ f: OFField) -> String {
        switch f {
        case .ethDst(let a), .ethSrc(let a): "\(a)"
        case .ipv4Src(let a), .ipv4Dst(let a), .arpSpa(let a), .arpTpa(let a): "\(a)"
        case .ipv6Src(let a), .ipv6Dst(let a): "\(a)"
        case .vlanVID(let x): "0x" + String(x, radix: 16)
        default: "?"
        }
    }

    static func instructions(_ list: [OFInstruction]) -> String {
        var parts: [String] = []
        for i in list {
            switch i {
            case .applyActions(let a): parts += a.map(action)
            case .writeActions(let a): parts.append("write_actions(" + a.map(action).joined(separator: ",") + ")")
            case .clearActions: parts.append("clear_actions")
            case .gotoTable(let t): parts.append("goto_table:\(t)")
            case .meter(let m): parts.append("meter:\(m)")
            }
        }
        return parts.isEmpty ? "drop" : parts.joined(separator: ",")
    }

    static func action(_ a: OFAction) -> String {
        switch a {
        case .output(let p, let maxLen):
            switch p {
            case .flood: return "FLOOD"
            case .all: return "ALL"
            case .inPort: return "IN_PORT"
            case .normal: return "NORMAL"
            case .local: return "LOCAL"
            case .table: return "TABLE"
            case .controller: return "CONTROLLER:\(maxLen)"
            default: return "output:\(p.rawValue)"
            }
        case .setField(let f): return "set_field:" + setField(f)
        case .setTransportSrc(let p): return "mod_tp_src:\(p)"
        case .setTransportDst(let p): return "mod_tp_dst:\(p)"
        case .pushVLAN(let t): return "push_vlan:0x" + String(t, radix: 16)
        case .popVLAN: return "pop_vlan"
        }
    }

    private static func setField(_ f: OFField) -> String {
        let text = match(OFMatch([f]))
        guard let eq = text.firstIndex(of: "=") else { return text }
        return "\(text[text.index(after: eq)...])->\(text[..<eq])"
    }
}
