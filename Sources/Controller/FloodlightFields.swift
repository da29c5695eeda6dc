import Foundation
import OpenFlow

/// Floodlight's names for match fields and its text for actions ("output=2,set_field=
/// eth_dst->00:00:00:00:00:02"), both ways: the static flow pusher reads them, the flow
/// views write them.
public enum FloodlightFields {
    /// A field or action text that cannot be read, with what to write instead.
    public struct BadEntry: Error, CustomStringConvertible {
        public let description: String
        init(_ text: String) { description = text }
    }

    /// Floodlight 1.x names, and the 0.9 ones (`ingress-port`, `src-mac`, ...) that older
    /// tutorials use, for the field they name.
    static let aliases: [String: String] = [
        "ingress-port": "in_port", "src-mac": "eth_src", "dst-mac": "eth_dst", "ether-type": "eth_type",
        "vlan-id": "eth_vlan_vid", "vlan-priority": "eth_vlan_pcp", "src-ip": "ipv4_src", "dst-ip": "ipv4_dst",
        "protocol": "ip_proto", "src-port": "tp_src", "dst-port": "tp_dst",
    ]

    /// The match field names this reads.
    public static let names: Set<String> = [
        "in_port", "in_phy_port", "eth_src", "eth_dst", "eth_type", "eth_vlan_vid", "eth_vlan_pcp", "ip_dscp", "ip_ecn",
        "ip_proto", "ipv4_src", "ipv4_dst", "tcp_src", "tcp_dst", "udp_src", "udp_dst", "sctp_src", "sctp_dst",
        "tp_src", "tp_dst", "icmpv4_type", "icmpv4_code", "arp_opcode", "arp_spa", "arp_tpa", "arp_sha", "arp_tha",
        "ipv6_src", "ipv6_dst", "ipv6_flabel", "icmpv6_type", "icmpv6_code", "metadata", "tunnel_id",
        "mpls_label", "mpls_tc", "mpls_bos",
    ]

    static func canonical(_ key: String) -> String { aliases[key] ?? key }

    static func number<T: FixedWidthInteger>(_ text: String, _ what: String) throws -> T {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let v = t.hasPrefix("0x") ? T(t.dropFirst(2), radix: 16) : T(t)
        guard let v else { throw BadEntry("\(what) '\(text)' is not a number from 0 to \(T.max)") }
        return v
    }

    static func port(_ text: String) throws -> OFPortNo {
        switch text.lowercased() {
        case "controller": return .controller
        case "flood": return .flood
        case "all": return .all
        case "local": return .local
        case "in_port", "ingress_port", "ingress-port": return .inPort
        case "normal": return .normal
        case "table": return .table
        case "any": return .any
        default: return OFPortNo(rawValue: try number(text, "port"))
        }
    }

    static func portText(_ p: OFPortNo) -> String {
        switch p {
        case .controller: "controller"
        case .flood: "flood"
        case .all: "all"
        case .local: "local"
        case .inPort: "in_port"
        case .normal: "normal"
        case .table: "table"
        case .any: "any"
        default: "\(p.rawValue)"
        }
    }

    static func mac(_ text: String) throws -> OFMACAddress {
        guard let m = OFMACAddress(text) else { throw BadEntry("'\(text)' is not a MAC address (write 00:00:00:00:00:01)") }
        return m
    }

    static func ipv4(_ text: String) throws -> OFIPv4Address {
        guard let a = OFIPv4Address(text) else { throw BadEntry("'\(text)' is not an IPv4 address") }
        return a
    }

    static func ipv6(_ text: String) throws -> OFIPv6Address {
        guard let a = OFIPv6Address(text) else { throw BadEntry("'\(text)' is not an IPv6 address") }
        return a
    }

    /// An IPv4 field with an optional "/24" or "/255.255.255.0" mask, as the field
    /// `make` makes (its value, and its mask in the same case).
    static func ipv4Masked(_ text: String, _ make: (OFIPv4Address) -> OFField) throws -> (OFField, OFField?) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        let a = try ipv4(parts[0])
        guard parts.count == 2 else { return (make(a), nil) }
        if let bits = Int(parts[1]), (0...32).contains(bits) {
            return (make(a), make(OFIPv4Address(rawValue: bits == 0 ? 0 : UInt32.max << (32 - bits))))
        }
        return (make(a), make(try ipv4(parts[1])))
    }

    /// One match field from its name (Floodlight's or an alias) and text; `ipProto` tells
    /// `tp_src`/`tp_dst` which protocol they are.
    static func field(_ name: String, _ text: String, ipProto: UInt8?) throws -> (OFField, OFField?) {
        switch canonical(name) {
        case "in_port": return (.inPort(try port(text)), nil)
        case "in_phy_port": return (.inPhyPort(try port(text)), nil)
        case "eth_src": return (.ethSrc(try mac(text)), nil)
        case "eth_dst": return (.ethDst(try mac(text)), nil)
        case "eth_type": return (.ethType(try number(text, "eth_type")), nil)
        case "eth_vlan_vid":
            let v: UInt16 = try number(text, "eth_vlan_vid")
            return (.vlanVID(v | OFMatch.vlanPresent), nil)
        case "eth_vlan_pcp": return (.vlanPCP(try number(text, "eth_vlan_pcp")), nil)
        case "ip_dscp": return (.ipDSCP(try number(text, "ip_dscp")), nil)
        case "ip_ecn": return (.ipECN(try number(text, "ip_ecn")), nil)
        case "ip_proto": return (.ipProto(try number(text, "ip_proto")), nil)
        case "ipv4_src": return try ipv4Masked(text, OFField.ipv4Src)
        case "ipv4_dst": return try ipv4Masked(text, OFField.ipv4Dst)
        case "tcp_src": return (.tcpSrc(try number(text, "tcp_src")), nil)
        case "tcp_dst": return (.tcpDst(try number(text, "tcp_dst")), nil)
        case "udp_src": return (.udpSrc(try number(text, "udp_src")), nil)
        case "udp_dst": return (.udpDst(try number(text, "udp_dst")), nil)
        case "sctp_src": return (.sctpSrc(try number(text, "sctp_src")), nil)
        case "sctp_dst": return (.sctpDst(try number(text, "sctp_dst")), nil)
        case "tp_src", "tp_dst":
            let src = canonical(name) == "tp_src"
            let p: UInt16 = try number(text, canonical(name))
            switch ipProto {
            case 6: return (src ? .tcpSrc(p) : .tcpDst(p), nil)
            case 17: return (src ? .udpSrc(p) : .udpDst(p), nil)
            case 132: return (src ? .sctpSrc(p) : .sctpDst(p), nil)
            default: throw BadEntry("\(name) needs ip_proto 6, 17 or 132 in the same entry (or write tcp_src, udp_src, ...)")
            }
        case "icmpv4_type": return (.icmpv4Type(try number(text, "icmpv4_type")), nil)
        case "icmpv4_code": return (.icmpv4Code(try number(text, "icmpv4_code")), nil)
        case "arp_opcode": return (.arpOp(try number(text, "arp_opcode")), nil)
        case "arp_spa": return try ipv4Masked(text, OFField.arpSpa)
        case "arp_tpa": return try ipv4Masked(text, OFField.arpTpa)
        case "arp_sha": return (.arpSha(try mac(text)), nil)
        case "arp_tha": return (.arpTha(try mac(text)), nil)
        case "ipv6_src": return (.ipv6Src(try ipv6(text)), nil)
        case "ipv6_dst": return (.ipv6Dst(try ipv6(text)), nil)
        case "ipv6_flabel": return (.ipv6FLabel(try number(text, "ipv6_flabel")), nil)
        case "icmpv6_type": return (.icmpv6Type(try number(text, "icmpv6_type")), nil)
        case "icmpv6_code": return (.icmpv6Code(try number(text, "icmpv6_code")), nil)
        case "metadata": return (.metadata(try number(text, "metadata")), nil)
        case "tunnel_id": return (.tunnelID(try number(text, "tunnel_id")), nil)
        case "mpls_label": return (.mplsLabel(try number(text, "mpls_label")), nil)
        case "mpls_tc": return (.mplsTC(try number(text, "mpls_tc")), nil)
        case "mpls_bos": return (.mplsBOS(try number(text, "mpls_bos")), nil)
        default: throw BadEntry("unknown match field '\(name)'")
        }
    }

    /// A match from an entry's fields (keys that are not match fields are left out).
    public static func match(_ entry: [String: String]) throws -> OFMatch {
        var m = OFMatch()
        let proto = try entry["ip_proto"].map { try number($0, "ip_proto") as UInt8 }
            ?? entry["protocol"].map { try number($0, "protocol") as UInt8 }
        for (k, v) in entry.sorted(by: { $0.key < $1.key }) where names.contains(canonical(k)) {
            let (value, mask) = try field(k, v, ipProto: proto)
            m.set(value, mask: mask)
        }
        return m
    }

    /// A field's name and value as Floodlight writes them.
    static func text(_ f: OFField) -> (String, String) {
        switch f {
        case .inPort(let p): ("in_port", portText(p))
        case .inPhyPort(let p): ("in_phy_port", portText(p))
        case .ethSrc(let m): ("eth_src", m.description)
        case .ethDst(let m): ("eth_dst", m.description)
        case .ethType(let t): ("eth_type", "0x" + String(t, radix: 16))
        case .vlanVID(let v): ("eth_vlan_vid", "\(v & 0xFFF)")
        case .vlanPCP(let v): ("eth_vlan_pcp", "\(v)")
        case .ipDSCP(let v): ("ip_dscp", "\(v)")
        case .ipECN(let v): ("ip_ecn", "\(v)")
        case .ipProto(let v): ("ip_proto", "\(v)")
        case .ipv4Src(let a): ("ipv4_src", a.description)
        case .ipv4Dst(let a): ("ipv4_dst", a.description)
        case .tcpSrc(let p): ("tcp_src", "\(p)")
        case .tcpDst(let p): ("tcp_dst", "\(p)")
        case .udpSrc(let p): ("udp_src", "\(p)")
        case .udpDst(let p): ("udp_dst", "\(p)")
        case .sctpSrc(let p): ("sctp_src", "\(p)")
        case .sctpDst(let p): ("sctp_dst", "\(p)")
        case .icmpv4Type(let v): ("icmpv4_type", "\(v)")
        case .icmpv4Code(let v): ("icmpv4_code", "\(v)")
        case .arpOp(let v): ("arp_opcode", "\(v)")
        case .arpSpa(let a): ("arp_spa", a.description)
        case .arpTpa(let a): ("arp_tpa", a.description)
        case .arpSha(let m): ("arp_sha", m.description)
        case .arpTha(let m): ("arp_tha", m.description)
        case .ipv6Src(let a): ("ipv6_src", a.description)
        case .ipv6Dst(let a): ("ipv6_dst", a.description)
        case .ipv6FLabel(let v): ("ipv6_flabel", "\(v)")
        case .icmpv6Type(let v): ("icmpv6_type", "\(v)")
        case .icmpv6Code(let v): ("icmpv6_code", "\(v)")
        case .metadata(let v): ("metadata", "0x" + String(v, radix: 16))
        case .tunnelID(let v): ("tunnel_id", "0x" + String(v, radix: 16))
        case .mplsLabel(let v): ("mpls_label", "\(v)")
        case .mplsTC(let v): ("mpls_tc", "\(v)")
        case .mplsBOS(let v): ("mpls_bos", "\(v)")
        default: ("oxm_\(f.oxmField)", "\(f)")
        }
    }

    /// A match as Floodlight's JSON writes it: {"in_port": "1", "ipv4_dst": "10.0.0.0/255.255.255.0"}.
    public static func text(_ m: OFMatch) -> [String: String] {
        var out: [String: String] = [:]
        for (value, mask) in m.entries {
            let (k, v) = text(value)
            out[k] = mask.map { v + "/" + text($0).1 } ?? v
        }
        return out
    }

    /// An action list: "output=2,set_field=eth_dst->00:00:00:00:00:02,pop_vlan".
    /// Empty text is no actions (a drop).
    public static func actions(_ text: String) throws -> [OFAction] {
        var out: [OFAction] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
            let name = kv[0].lowercased().replacingOccurrences(of: "-", with: "_")
            let arg = kv.count == 2 ? kv[1] : ""
            func need() throws -> String {
                if arg.isEmpty { throw BadEntry("action '\(name)' needs a value (\(name)=...)") }
                return arg
            }
            switch name {
            case "output": out.append(.output(port: try port(try need())))
            case "drop": break
            case "pop_vlan", "strip_vlan": out.append(.popVLAN)
            case "push_vlan": out.append(.pushVLAN(ethertype: arg.isEmpty ? 0x8100 : try number(arg, "push_vlan")))
            case "set_vlan_vid", "set_vlan_id":
                let v: UInt16 = try number(try need(), name)
                out.append(.setField(.vlanVID(v | OFMatch.vlanPresent)))
            case "set_vlan_pcp", "set_vlan_priority": out.append(.setField(.vlanPCP(try number(try need(), name))))
            case "set_eth_src", "set_src_mac": out.append(.setField(.ethSrc(try mac(try need()))))
            case "set_eth_dst", "set_dst_mac": out.append(.setField(.ethDst(try mac(try need()))))
            case "set_ipv4_src", "set_src_ip": out.append(.setField(.ipv4Src(try ipv4(try need()))))
            case "set_ipv4_dst", "set_dst_ip": out.append(.setField(.ipv4Dst(try ipv4(try need()))))
            case "set_ip_dscp": out.append(.setField(.ipDSCP(try number(try need(), name))))
            case "set_tp_src", "set_src_port": out.append(.setTransportSrc(try number(try need(), name)))
            case "set_tp_dst", "set_dst_port": out.append(.setTransportDst(try number(try need(), name)))
            case "set_queue": out.append(.setQueue(try number(try need(), name)))
            case "enqueue":
                // 0.9's enqueue=PORT:QUEUE (OpenFlow 1.0's ENQUEUE): the queue, then out of
                // the port; a queue alone is set_queue.
                let pq = try need().split(separator: ":", maxSplits: 1).map(String.init)
                if pq.count == 2 {
                    out.append(.setQueue(try number(pq[1], name)))
                    out.append(.output(port: try port(pq[0])))
                } else {
                    out.append(.setQueue(try number(pq[0], name)))
                }
            case "set_tos_bits", "set_nw_tos":
                // OpenFlow 1.0's ToS byte: its upper six bits are the DSCP.
                let tos: UInt8 = try number(try need(), name)
                out.append(.setField(.ipDSCP(tos >> 2)))
            case "group": out.append(.group(try number(try need(), name)))
            case "dec_ip_ttl", "dec_nw_ttl": out.append(.decNwTTL)
            case "set_ip_ttl", "set_nw_ttl": out.append(.setNwTTL(try number(try need(), name)))
            case "set_field":
                // set_field=eth_dst->00:00:00:00:00:02
                let fv = try need().components(separatedBy: "->")
                guard fv.count == 2 else { throw BadEntry("set_field takes FIELD->VALUE, not '\(arg)'") }
                out.append(.setField(try field(fv[0], fv[1], ipProto: nil).0))
            default:
                throw BadEntry("unknown action '\(kv[0])' (actions: output, set_field, push_vlan, pop_vlan, set_queue, group, dec_ip_ttl, ...)")
            }
        }
        return out
    }

    /// An action as Floodlight writes it.
    static func text(_ a: OFAction) -> String {
        switch a {
        case .output(let p, _): "output=" + portText(p)
        case .setField(let f):
            { let (k, v) = text(f); return "set_field=\(k)->\(v)" }()
        case .pushVLAN(let t): "push_vlan=0x" + String(t, radix: 16)
        case .popVLAN: "pop_vlan"
        case .setTransportSrc(let p): "set_tp_src=\(p)"
        case .setTransportDst(let p): "set_tp_dst=\(p)"
        case .setQueue(let q): "set_queue=\(q)"
        case .group(let g): "group=\(g)"
        case .setNwTTL(let t): "set_ip_ttl=\(t)"
        case .decNwTTL: "dec_ip_ttl"
        default: "\(a)"
        }
    }

    /// Actions as Floodlight writes them, comma-separated.
    public static func text(_ actions: [OFAction]) -> String { actions.map(text).joined(separator: ",") }
}
