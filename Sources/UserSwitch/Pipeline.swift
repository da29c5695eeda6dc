import OpenFlow

/// What the datapath does to one packet, in order: the outcome of running it through the
/// flow tables, which the exact-match cache keeps for the packets of the same microflow.
enum DatapathOp: Hashable, Sendable {
    /// Send out a port: a switch port number, or FLOOD, ALL, IN_PORT, NORMAL.
    case output(OFPortNo)
    /// Send to the controller as PACKET_IN.
    case controller(maxLen: UInt16, reason: UInt8, table: UInt8, cookie: UInt64)
    case setField(OFField)
    case setTransportSrc(UInt16)
    case setTransportDst(UInt16)
    case pushVLAN(UInt16)
    case popVLAN
}

/// The result of the pipeline for one microflow.
struct Decision: Sendable {
    var ops: [DatapathOp]
    /// The table visits, in order: (table, entry index), or entry -1 for a miss.
    var visits: [(table: Int, index: Int)]
}

extension FlowTables {
    /// Runs `packet` through the tables from table 0, as OpenFlow 1.3's pipeline does:
    /// apply-actions now, write-actions into the action set, goto-table onwards; the action
    /// set is executed when no goto follows. A miss drops the packet in 1.3 (unless a
    /// table-miss entry says otherwise) and goes to the controller in 1.0.
    mutating func evaluate(_ packet: ParsedPacket, version: OFVersion, missSendLen: UInt16) -> Decision {
        var p = packet
        var ops: [DatapathOp] = []
        var visits: [(table: Int, index: Int)] = []
        var actionSet = ActionSet()
        var table = 0
        while true {
            guard let i = lookup(table: table, packet: p) else {
                visits.append((table, -1))
                if version == .v1_0 {
                    ops.append(.controller(maxLen: missSendLen, reason: OFPacketIn.reasonNoMatch, table: UInt8(table), cookie: 0))
                }
                return Decision(ops: ops, visits: visits)
            }
            visits.append((table, i))
            let entry = tables[table][i]
            var next: Int?
            // The specification's order, whatever the order on the wire.
            for case .applyActions(let actions) in entry.instructions {
                for a in actions { Self.append(a, to: &ops, packet: &p, entry: entry, table: table) }
            }
            if entry.instructions.contains(.clearActions) { actionSet = ActionSet() }
            for case .writeActions(let actions) in entry.instructions { actionSet.write(actions) }
            for case .gotoTable(let t) in entry.instructions where Int(t) > table && Int(t) < count { next = Int(t) }
            guard let n = next else { break }
            table = n
        }
        let last = visits.last!
        let entry = tables[last.table][last.index]
        for a in actionSet.ordered { Self.append(a, to: &ops, packet: &p, entry: entry, table: last.table) }
        return Decision(ops: ops, visits: visits)
    }

    private static func append(_ a: OFAction, to ops: inout [DatapathOp], packet p: inout ParsedPacket, entry: FlowEntry, table: Int) {
        switch a {
        case .output(let port, let maxLen):
            if port == .controller {
                let reason = entry.isTableMiss ? OFPacketIn.reasonNoMatch : OFPacketIn.reasonAction
                ops.append(.controller(maxLen: maxLen, reason: reason, table: UInt8(table), cookie: entry.cookie))
            } else {
                ops.append(.output(port))
            }
        case .setField(let f):
            p.set(f)
            ops.append(.setField(f))
        case .setTransportSrc(let v):
            if p.tcpSrc != nil { p.tcpSrc = v } else if p.udpSrc != nil { p.udpSrc = v }
            ops.append(.setTransportSrc(v))
        case .setTransportDst(let v):
            if p.tcpDst != nil { p.tcpDst = v } else if p.udpDst != nil { p.udpDst = v }
            ops.append(.setTransportDst(v))
        case .pushVLAN(let tpid):
            if p.vlanVID == nil { p.vlanVID = 0; p.vlanPCP = 0 }
            ops.append(.pushVLAN(tpid))
        case .popVLAN:
            p.vlanVID = nil
            p.vlanPCP = nil
            ops.append(.popVLAN)
        }
    }
}

/// OpenFlow 1.3's action set: at most one action of each kind, executed in the
/// specification's order (pop, push, set-field, output).
struct ActionSet {
    private var pop = false
    private var push: UInt16?
    private var fields: [UInt8: OFAction] = [:]
    private var output: OFAction?

    mutating func write(_ actions: [OFAction]) {
        for a in actions {
            switch a {
            case .popVLAN: pop = true
            case .pushVLAN(let t): push = t
            case .setField(let f): fields[f.oxmField] = a
            case .setTransportSrc: fields[250] = a
            case .setTransportDst: fields[251] = a
            case .output: output = a
            }
        }
    }

    var ordered: [OFAction] {
        var out: [OFAction] = []
        if pop { out.append(.popVLAN) }
        if let push { out.append(.pushVLAN(ethertype: push)) }
        out += fields.keys.sorted().map { fields[$0]! }
        if let output { out.append(output) }
        return out
    }
}

extension ParsedPacket {
    /// The packet as it will be after a set-field action, for the lookups that follow it.
    mutating func set(_ f: OFField) {
        switch f {
        case .inPort: break
        case .ethDst(let v): ethDst = v
        case .ethSrc(let v): ethSrc = v
        case .ethType(let v): ethType = v
        case .vlanVID(let v): vlanVID = v & 0x0FFF
        case .vlanPCP(let v): vlanPCP = v
        case .ipDSCP(let v): ipDSCP = v
        case .ipProto(let v): ipProto = v
        case .ipv4Src(let v): if ipv4Src != nil { ipv4Src = v }
        case .ipv4Dst(let v): if ipv4Dst != nil { ipv4Dst = v }
        case .tcpSrc(let v): if tcpSrc != nil { tcpSrc = v }
        case .tcpDst(let v): if tcpDst != nil { tcpDst = v }
        case .udpSrc(let v): if udpSrc != nil { udpSrc = v }
        case .udpDst(let v): if udpDst != nil { udpDst = v }
        case .icmpv4Type(let v): if icmpv4Type != nil { icmpv4Type = v }
        case .icmpv4Code(let v): if icmpv4Code != nil { icmpv4Code = v }
        case .arpOp(let v): if arpOp != nil { arpOp = v }
        case .arpSpa(let v): if arpSpa != nil { arpSpa = v }
        case .arpTpa(let v): if arpTpa != nil { arpTpa = v }
        case .ipv6Src(let v): if ipv6Src != nil { ipv6Src = v }
        case .ipv6Dst(let v): if ipv6Dst != nil { ipv6Dst = v }
        }
    }
}
