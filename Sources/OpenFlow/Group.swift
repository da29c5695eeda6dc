// OpenFlow 1.3 groups: GROUP_MOD, and the group description, statistics and features
// multiparts.

/// One bucket of a group: its actions, and what decides whether it is used.
public struct OFBucket: Hashable, Sendable {
    /// Relative share of a select group's traffic (0 for other group types).
    public var weight: UInt16
    /// A fast-failover bucket is live while this port is up (``OFPortNo/any``: not watched).
    public var watchPort: OFPortNo
    /// ... and while this group is live (``OFBucket/anyGroup``: not watched).
    public var watchGroup: UInt32
    public var actions: [OFAction]

    /// OFPG_ANY: no group watched.
    public static let anyGroup: UInt32 = 0xFFFF_FFFF

    public init(weight: UInt16 = 0, watchPort: OFPortNo = .any, watchGroup: UInt32 = OFBucket.anyGroup, actions: [OFAction]) {
        self.weight = weight
        self.watchPort = watchPort
        self.watchGroup = watchGroup
        self.actions = actions
    }

    func encode(_ w: inout ByteWriter) throws(OFError) {
        let start = w.count
        w.u16(0); w.u16(weight); w.u32(watchPort.rawValue); w.u32(watchGroup); w.zeros(4)
        try OFAction.encodeList(actions, &w, .v1_3)
        try w.patchLength(at: start, from: start, context: "ofp_bucket")
    }

    /// Reads buckets until `r` is exhausted.
    static func decodeList(_ r: inout ByteReader) throws(OFError) -> [OFBucket] {
        var out: [OFBucket] = []
        while !r.isAtEnd {
            var head = r
            let len = try head.u16()
            guard len >= 16, len % 8 == 0, Int(len) <= r.remaining else { throw .badLength("ofp_bucket of \(len) bytes") }
            var b = try r.sub(Int(len), context: "bucket")
            try b.skip(2)
            let weight = try b.u16(), port = OFPortNo(rawValue: try b.u32()), group = try b.u32()
            try b.skip(4)
            out.append(OFBucket(weight: weight, watchPort: port, watchGroup: group, actions: try OFAction.decodeList(&b, .v1_3)))
        }
        return out
    }
}

/// OFPT_GROUP_MOD: add, modify or delete a group.
public struct OFGroupMod: Hashable, Sendable {
    public static let add: UInt16 = 0, modify: UInt16 = 1, delete: UInt16 = 2
    /// OFPGT_ALL, OFPGT_SELECT, OFPGT_INDIRECT, OFPGT_FF.
    public static let all: UInt8 = 0, select: UInt8 = 1, indirect: UInt8 = 2, fastFailover: UInt8 = 3
    /// OFPG_ALL: every group (for delete).
    public static let allGroups: UInt32 = 0xFFFF_FFFC
    /// The highest group number a switch may use (OFPG_MAX).
    public static let maxGroup: UInt32 = 0xFFFF_FF00

    public var command: UInt16
    public var type: UInt8
    public var groupID: UInt32
    public var buckets: [OFBucket]

    public init(command: UInt16, type: UInt8, groupID: UInt32, buckets: [OFBucket] = []) {
        self.command = command
        self.type = type
        self.groupID = groupID
        self.buckets = buckets
    }

    func encode(_ w: inout ByteWriter) throws(OFError) {
        w.u16(command); w.u8(type); w.zeros(1); w.u32(groupID)
        for b in buckets { try b.encode(&w) }
    }

    static func decode(_ r: inout ByteReader) throws(OFError) -> OFGroupMod {
        let command = try r.u16(), type = try r.u8()
        try r.skip(1)
        let id = try r.u32()
        return OFGroupMod(command: command, type: type, groupID: id, buckets: try OFBucket.decodeList(&r))
    }
}

/// A group as the group description multipart reports it.
public struct OFGroupDesc: Hashable, Sendable {
    public var type: UInt8
    public var groupID: UInt32
    public var buckets: [OFBucket]

    public init(type: UInt8, groupID: UInt32, buckets: [OFBucket]) {
        self.type = type
        self.groupID = groupID
        self.buckets = buckets
    }
}

/// A group's counters (group statistics multipart).
public struct OFGroupStats: Hashable, Sendable {
    public var groupID: UInt32
    /// Flow entries that send to the group.
    public var refCount: UInt32
    public var packetCount: UInt64
    public var byteCount: UInt64
    public var durationSec: UInt32
    public var durationNsec: UInt32
    /// (packets, bytes) per bucket.
    public var buckets: [Counts]

    public struct Counts: Hashable, Sendable {
        public var packets: UInt64
        public var bytes: UInt64
        public init(packets: UInt64, bytes: UInt64) {
            self.packets = packets
            self.bytes = bytes
        }
    }

    public init(groupID: UInt32, refCount: UInt32, packetCount: UInt64, byteCount: UInt64, durationSec: UInt32,
                durationNsec: UInt32, buckets: [Counts]) {
        self.groupID = groupID
        self.refCount = refCount
        self.packetCount = packetCount
        self.byteCount = byteCount
        self.durationSec = durationSec
        self.durationNsec = durationNsec
        self.buckets = buckets
    }
}

/// What groups a switch supports (group features multipart).
public struct OFGroupFeatures: Hashable, Sendable {
    /// Bit i set: group type i supported.
    public var types: UInt32
    /// OFPGFC_SELECT_WEIGHT (1), _SELECT_LIVENESS (2), _CHAINING (4), _CHAINING_CHECKS (8).
    public var capabilities: UInt32
    /// Most groups of each type.
    public var maxGroups: [UInt32]
    /// Bit i set: action type i supported, for each group type.
    public var actions: [UInt32]

    public init(types: UInt32, capabilities: UInt32, maxGroups: [UInt32], actions: [UInt32]) {
        self.types = types
        self.capabilities = capabilities
        self.maxGroups = maxGroups
        self.actions = actions
    }
}

extension OFGroupDesc {
    func encode(_ w: inout ByteWriter) throws(OFError) {
        let start = w.count
        w.u16(0); w.u8(type); w.zeros(1); w.u32(groupID)
        for b in buckets { try b.encode(&w) }
        try w.patchLength(at: start, from: start, context: "ofp_group_desc")
    }

    static func decodeList(_ r: inout ByteReader) throws(OFError) -> [OFGroupDesc] {
        var out: [OFGroupDesc] = []
        while !r.isAtEnd {
            var head = r
            let len = try head.u16()
            guard len >= 8, Int(len) <= r.remaining else { throw .badLength("ofp_group_desc of \(len) bytes") }
            var d = try r.sub(Int(len), context: "group desc")
            try d.skip(2)
            let type = try d.u8()
            try d.skip(1)
            let id = try d.u32()
            out.append(OFGroupDesc(type: type, groupID: id, buckets: try OFBucket.decodeList(&d)))
        }
        return out
    }
}

extension OFGroupStats {
    func encode(_ w: inout ByteWriter) throws(OFError) {
        let start = w.count
        w.u16(0); w.zeros(2); w.u32(groupID); w.u32(refCount); w.zeros(4)
        w.u64(packetCount); w.u64(byteCount); w.u32(durationSec); w.u32(durationNsec)
        for b in buckets { w.u64(b.packets); w.u64(b.bytes) }
        try w.patchLength(at: start, from: start, context: "ofp_group_stats")
    }

    static func decodeList(_ r: inout ByteReader) throws(OFError) -> [OFGroupStats] {
        var out: [OFGroupStats] = []
        while !r.isAtEnd {
            var head = r
            let len = try head.u16()
            guard len >= 40, (Int(len) - 40) % 16 == 0, Int(len) <= r.remaining else { throw .badLength("ofp_group_stats of \(len) bytes") }
            var s = try r.sub(Int(len), context: "group stats")
            try s.skip(4)
            let id = try s.u32(), refs = try s.u32()
            try s.skip(4)
            var g = OFGroupStats(groupID: id, refCount: refs, packetCount: try s.u64(), byteCount: try s.u64(),
                                 durationSec: try s.u32(), durationNsec: try s.u32(), buckets: [])
            while !s.isAtEnd { g.buckets.append(Counts(packets: try s.u64(), bytes: try s.u64())) }
            out.append(g)
        }
        return out
    }
}

extension OFGroupFeatures {
    func encode(_ w: inout ByteWriter) {
        w.u32(types); w.u32(capabilities)
        for i in 0..<4 { w.u32(i < maxGroups.count ? maxGroups[i] : 0) }
        for i in 0..<4 { w.u32(i < actions.count ? actions[i] : 0) }
    }

    static func decode(_ r: inout ByteReader) throws(OFError) -> OFGroupFeatures {
        let types = try r.u32(), caps = try r.u32()
        var maxGroups: [UInt32] = [], actions: [UInt32] = []
        for _ in 0..<4 { maxGroups.append(try r.u32()) }
        for _ in 0..<4 { actions.append(try r.u32()) }
        return OFGroupFeatures(types: types, capabilities: caps, maxGroups: maxGroups, actions: actions)
    }
}
