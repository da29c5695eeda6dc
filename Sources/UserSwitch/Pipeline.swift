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
    case pushMPLS(UInt16)
    case popMPLS(UInt16)
    case setMPLSTTL(UInt8)
    case decMPLSTTL
    case copyTTLOut
    case copyTTLIn
    case setNwTTL(UInt8)
    case decNwTTL
    case pushPBB(UInt16)
    case popPBB
    /// Run these ops on a copy of the frame (a group bucket).
    case clone([DatapathOp])
    /// Through this meter: the packet goes on, is dropped, or has its DSCP remarked.
    case meter(UInt32)
}

/// The result of the pipeline for one microflow.
struct Decision: Sendable {
    var ops: [DatapathOp]
    /// The table visits, in order: (table, entry index), or entry -1 for a miss.
    var visits: [(table: Int, index: Int)]
    /// False when a later table looked at headers a pop uncovered: the decision depends on
    /// more than the packet's parsed fields, and is not kept for its microflow.
    var cacheable = true
    /// The group buckets the packet went through, for their counters.
    var groupHits: [GroupHit] = []
}

extension FlowTables {
    /// Runs `packet` through the tables from table 0, as OpenFlow 1.3's pipeline does:
    /// apply-actions now, write-actions into the action set, goto-table onwards; the action
    /// set is executed when no goto follows. A miss drops the packet in 1.3 (unless a
    /// table-miss entry says otherwise) and goes to the controller in 1.0.
    ///
    /// `reparse` gives the packet's fields after the given edits, from the frame itself;
    /// after a pop of MPLS or PBB the tables that follow see what the pop uncovered.
    mutating func evaluate(_ packet: ParsedPacket, version: OFVersion, missSendLen: UInt16,
                           reparse: (([DatapathOp]) -> ParsedPacket?)? = nil,
                           isLive: (OFPortNo) -> Bool = { _ in true }) -> Decision {
        var p = packet
        var cacheable = true
        var ops: [DatapathOp] = []
        var visits: [(table: Int, index: Int)] = []
        var hits: [GroupHit] = []
        /// After a pop: the fields of what it uncovered, read from the edited frame.
        func uncover() {
            guard let reparse, var q = reparse(ops) else { return }
            q.metadata = p.metadata
            q.tunnelID = p.tunnelID
            p = q
            cacheable = false
        }
        /// One action: a group's buckets, or the action itself; after a pop in apply-actions
        /// (`uncovering`) the tables that follow see what it uncovered.
        func perform(_ a: OFAction, entry: FlowEntry, table: Int, uncovering: Bool) {
            switch a {
            case .group(let g):
                ops += expandGroup(g, packet: p, isLive: isLive, depth: 0, hits: &hits)
            case .popMPLS, .popPBB:
                Self.append(a, to: &ops, packet: &p, entry: entry, table: table)
                if uncovering { uncover() }
            default:
                Self.append(a, to: &ops, packet: &p, entry: entry, table: table)
            }
        }
        var actionSet = ActionSet()
        var table = 0
        while true {
            guard let i = lookup(table: table, packet: p) else {
                visits.append((table, -1))
                if version == .v1_0 {
                    ops.append(.controller(maxLen: missSendLen, reason: OFPacketIn.reasonNoMatch, table: UInt8(table), cookie: 0))
                }
                return Decision(ops: ops, visits: visits, cacheable: cacheable, groupHits: hits)
            }
            visits.append((table, i))
            let entry = tables[table][i]
            var next: Int?
            // The specification's order, whatever the order on the wire: meter first.
            for case .meter(let m) in entry.instructions { ops.append(.meter(m)) }
            for case .applyActions(let actions) in entry.instructions {
                for a in actions { perform(a, entry: entry, table: table, uncovering: true) }
            }
            if entry.instructions.contains(.clearActions) { actionSet = ActionSet() }
            for case .writeActions(let actions) in entry.instructions { actionSet.write(actions) }
            for case .writeMetadata(let value, let mask) in entry.instructions {
                p.metadata = p.metadata & ~mask | value & mask
            }
            for case .gotoTable(let t) in entry.instructions where Int(t) > table && Int(t) < count { next = Int(t) }
            guard let n = next else { break }
            table = n
        }
        let last = visits.last!
        let entry = tables[last.table][last.index]
        for a in actionSet.ordered { perform(a, entry: entry, table: last.table, uncovering: false) }
        return Decision(ops: ops, visits: visits, cacheable: cacheable, groupHits: hits)
    }

    private static func append(_ a: OFAction, to ops: inout [DatapathOp], packet p: inout ParsedPacket, entry: FlowEntry, table: Int) {
        if case .output(let port, let maxLen) = a {
            if port == .controller {
                let reason = entry.isTableMiss ? OFPacketIn.reasonNoMatch : OFPacketIn.reasonAction
                ops.append(.controller(maxLen: maxLen, reason: reason, table: UInt8(table), cookie: entry.cookie))
            } else {
                ops.append(.output(port))
            }
            return
        }
        p.apply(a)
        if let op = DatapathOp(edit: a) { ops.append(op) }
    }
}

extension DatapathOp {
    /// The frame edit an action makes; nil for output, set-queue and group, which edit nothing.
    init?(edit a: OFAction) {
        switch a {
        case .output, .setQueue, .group: return nil
        case .setField(let f): self = .setField(f)
        case .setTransportSrc(let v): self = .setTransportSrc(v)
        case .setTransportDst(let v): self = .setTransportDst(v)
        case .pushVLAN(let t): self = .pushVLAN(t)
        case .popVLAN: self = .popVLAN
        case .pushMPLS(let t): self = .pushMPLS(t)
        case .popMPLS(let t): self = .popMPLS(t)
        case .setMPLSTTL(let t): self = .setMPLSTTL(t)
        case .decMPLSTTL: self = .decMPLSTTL
        case .copyTTLOut: self = .copyTTLOut
        case .copyTTLIn: self = .copyTTLIn
        case .setNwTTL(let t): self = .setNwTTL(t)
        case .decNwTTL: self = .decNwTTL
        case .pushPBB(let t): self = .pushPBB(t)
        case .popPBB: self = .popPBB
        }
    }
}

extension ParsedPacket {
    /// The packet's fields as they will be after `a`, for the lookups that follow it.
    mutating func apply(_ a: OFAction) {
        switch a {
        case .output, .setQueue, .group, .setMPLSTTL, .decMPLSTTL, .copyTTLOut, .copyTTLIn, .setNwTTL, .decNwTTL:
            break
        case .setField(let f):
            set(f)
        case .setTransportSrc(let v):
            if tcpSrc != nil { tcpSrc = v } else if udpSrc != nil { udpSrc = v }
        case .setTransportDst(let v):
            if tcpDst != nil { tcpDst = v } else if udpDst != nil { udpDst = v }
        case .pushVLAN:
            if vlanVID == nil { vlanVID = 0; vlanPCP = 0 }
        case .popVLAN:
            vlanVID = nil
            vlanPCP = nil
        case .pushMPLS(let t):
            if mplsLabel == nil { mplsLabel = 0; mplsTC = 0; mplsBOS = 1 } else { mplsBOS = 0 }
            ethType = t
        case .popMPLS(let t):
            // What follows the popped header is known only by parsing the frame again:
            // the next tables see the new ethertype and no MPLS fields.
            mplsLabel = nil; mplsTC = nil; mplsBOS = nil
            ethType = t
        case .pushPBB(let t):
            pbbISID = pbbISID ?? 0
            ethType = t
            vlanVID = nil; vlanPCP = nil
        case .popPBB:
            pbbISID = nil
        }
    }
}

/// OpenFlow 1.3's action set: at most one action of each kind, executed in the
/// specification's order (5.10): copy TTL inwards, pop, push-MPLS, push-PBB, push-VLAN,
/// copy TTL outwards, decrement TTL, set-field, set-queue, group, output.
struct ActionSet {
    private var copyIn = false
    private var pops: [Int: OFAction] = [:]
    private var pushMPLS: OFAction?
    private var pushPBB: OFAction?
    private var pushVLAN: OFAction?
    private var copyOut = false
    private var decrements: [UInt8: OFAction] = [:]
    private var fields: [UInt8: OFAction] = [:]
    private var queue: OFAction?
    private var group: OFAction?
    private var output: OFAction?

    mutating func write(_ actions: [OFAction]) {
        for a in actions {
            switch a {
            case .copyTTLIn: copyIn = true
            case .popVLAN: pops[0] = a
            case .popMPLS: pops[1] = a
            case .popPBB: pops[2] = a
            case .pushMPLS: pushMPLS = a
            case .pushPBB: pushPBB = a
            case .pushVLAN: pushVLAN = a
            case .copyTTLOut: copyOut = true
            case .decMPLSTTL: decrements[0] = a
            case .decNwTTL: decrements[1] = a
            case .setMPLSTTL: fields[240] = a
            case .setNwTTL: fields[241] = a
            case .setField(let f): fields[f.oxmField] = a
            case .setTransportSrc: fields[250] = a
            case .setTransportDst: fields[251] = a
            case .setQueue: queue = a
            case .group: group = a
            case .output: output = a
            }
        }
    }

    var ordered: [OFAction] {
        var out: [OFAction] = []
        if copyIn { out.append(.copyTTLIn) }
        out += pops.keys.sorted().map { pops[$0]! }
        if let pushMPLS { out.append(pushMPLS) }
        if let pushPBB { out.append(pushPBB) }
        if let pushVLAN { out.append(pushVLAN) }
        if copyOut { out.append(.copyTTLOut) }
        out += decrements.keys.sorted().map { decrements[$0]! }
        out += fields.keys.sorted().map { fields[$0]! }
        if let queue { out.append(queue) }
        // A group in the set replaces the output (5.10).
        if let group { out.append(group) } else if let output { out.append(output) }
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
        case .inPhyPort: break
        case .metadata(let v): metadata = v
        case .tunnelID(let v): tunnelID = v
        case .ipECN(let v): if ipECN != nil { ipECN = v }
        case .sctpSrc(let v): if sctpSrc != nil { sctpSrc = v }
        case .sctpDst(let v): if sctpDst != nil { sctpDst = v }
        case .arpSha(let v): if arpSha != nil { arpSha = v }
        case .arpTha(let v): if arpTha != nil { arpTha = v }
        case .ipv6FLabel(let v): if ipv6FLabel != nil { ipv6FLabel = v & 0xF_FFFF }
        case .icmpv6Type(let v): if icmpv6Type != nil { icmpv6Type = v }
        case .icmpv6Code(let v): if icmpv6Code != nil { icmpv6Code = v }
        case .ipv6NDTarget(let v): if ndTarget != nil { ndTarget = v }
        case .ipv6NDSLL(let v): if ndSLL != nil { ndSLL = v }
        case .ipv6NDTLL(let v): if ndTLL != nil { ndTLL = v }
        case .mplsLabel(let v): if mplsLabel != nil { mplsLabel = v & 0xF_FFFF }
        case .mplsTC(let v): if mplsTC != nil { mplsTC = v & 7 }
        case .mplsBOS(let v): if mplsBOS != nil { mplsBOS = v & 1 }
        case .pbbISID(let v): if pbbISID != nil { pbbISID = v & 0xFF_FFFF }
        case .ipv6Exthdr: break
        }
    }
}
