import OpenFlow

/// One group of a user switch's group table.
struct GroupEntry: Sendable {
    var type: UInt8
    var buckets: [OFBucket]
    var installed: UInt64
    var packets: UInt64 = 0
    var bytes: UInt64 = 0
    var bucketPackets: [UInt64]
    var bucketBytes: [UInt64]

    init(type: UInt8, buckets: [OFBucket], installed: UInt64) {
        self.type = type
        self.buckets = buckets
        self.installed = installed
        bucketPackets = Array(repeating: 0, count: buckets.count)
        bucketBytes = Array(repeating: 0, count: buckets.count)
    }
}

/// Why a GROUP_MOD was refused: the OFPGMFC_* code of an OFPET_GROUP_MOD_FAILED error.
enum GroupModFailure: Error, Equatable {
    case groupExists, invalidGroup, unknownGroup, badType, badCommand, badBucket, badWatch, loop

    var code: UInt16 {
        switch self {
        case .groupExists: 0
        case .invalidGroup: 1
        case .loop: 7
        case .unknownGroup: 8
        case .badType: 10
        case .badCommand: 11
        case .badBucket: 12
        case .badWatch: 13
        }
    }

    static let errorType: UInt16 = 6  // OFPET_GROUP_MOD_FAILED
}

extension FlowTables {
    /// The deepest chain of groups a packet follows (a group's bucket naming a group).
    static let maxGroupDepth = 8

    /// Applies a GROUP_MOD. Deleting a group deletes the flow entries that send to it,
    /// which are returned (for FLOW_REMOVED).
    mutating func apply(_ m: OFGroupMod, now: UInt64) throws(GroupModFailure) -> [RemovedFlow] {
        switch m.command {
        case OFGroupMod.add, OFGroupMod.modify:
            guard m.groupID <= OFGroupMod.maxGroup else { throw .invalidGroup }
            guard m.type <= OFGroupMod.fastFailover else { throw .badType }
            if m.command == OFGroupMod.add, groups[m.groupID] != nil { throw .groupExists }
            if m.command == OFGroupMod.modify, groups[m.groupID] == nil { throw .unknownGroup }
            if m.type == OFGroupMod.indirect && m.buckets.count != 1 { throw .badBucket }
            for b in m.buckets {
                if m.type == OFGroupMod.fastFailover && b.watchPort == .any && b.watchGroup == OFBucket.anyGroup { throw .badWatch }
                for case .group(let g) in b.actions {
                    guard groups[g] != nil else { throw .unknownGroup }
                    if g == m.groupID || reaches(from: g, to: m.groupID, depth: 0) { throw .loop }
                }
            }
            var entry = GroupEntry(type: m.type, buckets: m.buckets, installed: now)
            if m.command == OFGroupMod.modify, let old = groups[m.groupID], old.buckets.count == m.buckets.count {
                entry.packets = old.packets
                entry.bytes = old.bytes
                entry.installed = old.installed
            }
            groups[m.groupID] = entry
            bump()
            return []
        case OFGroupMod.delete:
            let ids: [UInt32] = m.groupID == OFGroupMod.allGroups ? Array(groups.keys) : [m.groupID]
            var removed: [RemovedFlow] = []
            for id in ids where groups.removeValue(forKey: id) != nil {
                removed += removeEntries { e in e.sendsTo(group: id) }
            }
            bump()
            return removed.map { RemovedFlow(entry: $0.entry, table: $0.table, reason: 3) }  // OFPRR_GROUP_DELETE
        default:
            throw .badCommand
        }
    }

    /// True when group `from` leads to group `to` through its buckets.
    private func reaches(from: UInt32, to: UInt32, depth: Int) -> Bool {
        guard depth < Self.maxGroupDepth, let g = groups[from] else { return depth >= Self.maxGroupDepth }
        for b in g.buckets {
            for case .group(let next) in b.actions where next == to || reaches(from: next, to: to, depth: depth + 1) { return true }
        }
        return false
    }

    /// Flow entries that send to `group`.
    func references(to group: UInt32) -> Int { entryCount { $0.sendsTo(group: group) } }

    /// Counts a packet on a group and one of its buckets.
    mutating func hitGroup(_ id: UInt32, bucket: Int, bytes: Int) {
        guard var g = groups[id] else { return }
        g.packets &+= 1
        g.bytes &+= UInt64(bytes)
        if bucket >= 0 && bucket < g.buckets.count {
            g.bucketPackets[bucket] &+= 1
            g.bucketBytes[bucket] &+= UInt64(bytes)
        }
        groups[id] = g
    }

    /// What a packet sent to group `id` does: one `.clone` of the packet per bucket taken
    /// (all: every bucket; select: one, by a hash of the packet's fields and the weights;
    /// indirect: its one bucket; fast failover: the first live one). `isLive` says whether
    /// a port is up. The buckets taken are added to `hits`.
    func expandGroup(_ id: UInt32, packet p: ParsedPacket, isLive: (OFPortNo) -> Bool, depth: Int,
                     hits: inout [GroupHit]) -> [DatapathOp] {
        guard depth < Self.maxGroupDepth, let g = groups[id], !g.buckets.isEmpty else { return [] }
        var chosen: [Int] = []
        switch g.type {
        case OFGroupMod.all:
            chosen = Array(g.buckets.indices)
        case OFGroupMod.select:
            let live = g.buckets.indices.filter { g.buckets[$0].weight > 0 && bucketIsLive(g.buckets[$0], isLive, depth) }
            let total = live.reduce(0) { $0 + Int(g.buckets[$1].weight) }
            if total > 0 {
                var point = Int(Self.flowHash(p) % UInt64(total))
                for i in live {
                    point -= Int(g.buckets[i].weight)
                    if point < 0 { chosen = [i]; break }
                }
            }
        case OFGroupMod.indirect:
            chosen = [0]
        default:  // fast failover
            if let i = g.buckets.indices.first(where: { bucketIsLive(g.buckets[$0], isLive, depth) }) { chosen = [i] }
        }
        var ops: [DatapathOp] = []
        for i in chosen {
            hits.append(GroupHit(group: id, bucket: i))
            var q = p
            var bucketOps: [DatapathOp] = []
            for a in g.buckets[i].actions {
                switch a {
                case .output(let port, let maxLen):
                    bucketOps.append(port == .controller
                        ? .controller(maxLen: maxLen, reason: OFPacketIn.reasonAction, table: 0, cookie: .max)
                        : .output(port))
                case .group(let next):
                    bucketOps += expandGroup(next, packet: q, isLive: isLive, depth: depth + 1, hits: &hits)
                default:
                    q.apply(a)
                    if let op = DatapathOp(edit: a) { bucketOps.append(op) }
                }
            }
            ops.append(.clone(bucketOps))
        }
        return ops
    }

    /// A fast-failover bucket is live while its watched port is up and its watched group
    /// has a live bucket.
    private func bucketIsLive(_ b: OFBucket, _ isLive: (OFPortNo) -> Bool, _ depth: Int) -> Bool {
        if b.watchPort != .any && !isLive(b.watchPort) { return false }
        if b.watchGroup != OFBucket.anyGroup {
            guard depth < Self.maxGroupDepth, let g = groups[b.watchGroup] else { return false }
            return g.buckets.contains { bucketIsLive($0, isLive, depth + 1) }
        }
        return true
    }

    /// A hash of the fields that tell flows apart, the same for every packet of a flow.
    static func flowHash(_ p: ParsedPacket) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: UInt64) {
            h ^= v
            h = h &* 0x0000_0100_0000_01B3
            h ^= h >> 29
        }
        mix(p.ethSrc.rawValue); mix(p.ethDst.rawValue); mix(UInt64(p.ethType))
        mix(UInt64(p.ipv4Src?.rawValue ?? 0)); mix(UInt64(p.ipv4Dst?.rawValue ?? 0))
        mix(p.ipv6Src?.high ?? 0); mix(p.ipv6Src?.low ?? 0); mix(p.ipv6Dst?.high ?? 0); mix(p.ipv6Dst?.low ?? 0)
        mix(UInt64(p.arpSpa?.rawValue ?? 0) << 32 | UInt64(p.arpTpa?.rawValue ?? 0))
        mix(UInt64(p.ipProto ?? 0))
        mix(UInt64(p.tcpSrc ?? p.udpSrc ?? p.sctpSrc ?? 0) << 16 | UInt64(p.tcpDst ?? p.udpDst ?? p.sctpDst ?? 0))
        return h
    }
}

/// A packet's visit to a group bucket, for the group's counters.
struct GroupHit: Sendable, Hashable {
    var group: UInt32
    var bucket: Int
}

extension FlowEntry {
    /// True when one of its actions sends to `group`.
    func sendsTo(group: UInt32) -> Bool {
        for i in instructions {
            switch i {
            case .applyActions(let a), .writeActions(let a):
                if a.contains(where: { if case .group(group) = $0 { true } else { false } }) { return true }
            default: continue
            }
        }
        return false
    }
}
