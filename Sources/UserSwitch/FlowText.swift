import Foundation
import OpenFlow

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
            case .inPhyPort(let p): name = "in_phy_port"; value = "\(p.rawValue)"
            case .metadata(let x): name = "metadata"; value = "0x" + String(x, radix: 16)
            case .ipECN(let x): name = "nw_ecn"; value = "\(x)"
            case .sctpSrc(let x): name = "sctp_src"; value = "\(x)"
            case .sctpDst(let x): name = "sctp_dst"; value = "\(x)"
            case .arpSha(let a): name = "arp_sha"; value = "\(a)"
            case .arpTha(let a): name = "arp_tha"; value = "\(a)"
            case .ipv6FLabel(let x): name = "ipv6_label"; value = "0x" + String(x, radix: 16)
            case .icmpv6Type(let x): name = "icmpv6_type"; value = "\(x)"
            case .icmpv6Code(let x): name = "icmpv6_code"; value = "\(x)"
            case .ipv6NDTarget(let a): name = "nd_target"; value = "\(a)"
            case .ipv6NDSLL(let a): name = "nd_sll"; value = "\(a)"
            case .ipv6NDTLL(let a): name = "nd_tll"; value = "\(a)"
            case .mplsLabel(let x): name = "mpls_label"; value = "\(x)"
            case .mplsTC(let x): name = "mpls_tc"; value = "\(x)"
            case .mplsBOS(let x): name = "mpls_bos"; value = "\(x)"
            case .pbbISID(let x): name = "pbb_isid"; value = "0x" + String(x, radix: 16)
            case .tunnelID(let x): name = "tun_id"; value = "0x" + String(x, radix: 16)
            case .ipv6Exthdr(let x): name = "ipv6_exthdr"; value = "0x" + String(x, radix: 16)
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
        case .arpSha(let a), .arpTha(let a): "\(a)"
        case .metadata(let x), .tunnelID(let x): "0x" + String(x, radix: 16)
        case .ipv6FLabel(let x), .pbbISID(let x): "0x" + String(x, radix: 16)
        case .ipv6Exthdr(let x): "0x" + String(x, radix: 16)
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
            case .writeMetadata(let v, let m): parts.append("write_metadata:0x" + String(v, radix: 16) + "/0x" + String(m, radix: 16))
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
        case .pushMPLS(let t): return "push_mpls:0x" + String(t, radix: 16)
        case .popMPLS(let t): return "pop_mpls:0x" + String(t, radix: 16)
        case .setMPLSTTL(let t): return "set_mpls_ttl(\(t))"
        case .decMPLSTTL: return "dec_mpls_ttl"
        case .copyTTLOut: return "copy_ttl_out"
        case .copyTTLIn: return "copy_ttl_in"
        case .setNwTTL(let t): return "mod_nw_ttl:\(t)"
        case .decNwTTL: return "dec_ttl"
        case .pushPBB(let t): return "push_pbb:0x" + String(t, radix: 16)
        case .popPBB: return "pop_pbb"
        case .setQueue(let q): return "set_queue:\(q)"
        case .group(let g): return "group:\(g)"
        }
    }

    private static func setField(_ f: OFField) -> String {
        let text = match(OFMatch([f]))
        guard let eq = text.firstIndex(of: "=") else { return text }
        return "\(text[text.index(after: eq)...])->\(text[..<eq])"
    }
}
