/// FLOW_MOD commands (OFPFC_*), the same numbers in 1.0 and 1.3.
public enum OFFlowModCommand: UInt8, Hashable, Sendable {
    /// New flow.
    case add = 0
    /// Modify all matching flows.
    case modify = 1
    /// Modify the flow with exactly this match and priority.
    case modifyStrict = 2
    /// Delete all matching flows.
    case delete = 3
    /// Delete the flow with exactly this match and priority.
    case deleteStrict = 4
}

/// FLOW_MOD flags (OFPFF_*).
public struct OFFlowModFlags: OptionSet, Hashable, Sendable {
    /// The OFPFF_* bits.
    public var rawValue: UInt16
    /// Flags from their bits.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Send FLOW_REMOVED when the flow expires or is deleted.
    public static let sendFlowRemoved = OFFlowModFlags(rawValue: 1 << 0)
    /// Refuse to add an overlapping flow.
    public static let checkOverlap = OFFlowModFlags(rawValue: 1 << 1)
    /// 1.0: emergency flow (OFPFF_EMERG). 1.3: reset counters (OFPFF_RESET_COUNTS).
    public static let emergencyOrResetCounts = OFFlowModFlags(rawValue: 1 << 2)
    /// 1.3: do not count packets.
    public static let noPacketCounts = OFFlowModFlags(rawValue: 1 << 3)
    /// 1.3: do not count bytes.
    public static let noByteCounts = OFFlowModFlags(rawValue: 1 << 4)
}

/// FLOW_MOD contents.
public struct OFFlowMod: Hashable, Sendable {
    /// Controller-chosen flow identifier.
    public var cookie: UInt64
    /// For modify/delete (1.3): which cookie bits must equal ``cookie``.
    public var cookieMask: UInt64
    /// Table (1.3; 1.0 has one table, 0; 0xff = all, for delete).
    public var tableID: UInt8
    /// What to do.
    public var command: OFFlowModCommand
    /// Seconds without a hit before removal (0 = never).
    public var idleTimeout: UInt16
    /// Seconds before removal regardless (0 = never).
    public var hardTimeout: UInt16
    /// Priority; higher wins.
    public var priority: UInt16
    /// Buffered packet to run through the new flow, or ``OFBufferID/noBuffer``.
    public var bufferID: UInt32
    /// For delete: only flows outputting to this port (``OFPortNo/any`` = no restriction).
    public var outPort: OFPortNo
    /// For delete (1.3): only flows outputting to this group (0xffffffff = OFPG_ANY).
    public var outGroup: UInt32
    /// Flags.
    public var flags: OFFlowModFlags
    /// The match.
    public var match: OFMatch
    /// Instructions (1.3). 1.0 carries only an action list: nothing or one ``OFInstruction/applyActions(_:)``.
    public var instructions: [OFInstruction]

    /// A FLOW_MOD; defaults are ADD at priority 0x8000 in table 0, permanent, unbuffered.
    public init(cookie: UInt64 = 0, cookieMask: UInt64 = 0, tableID: UInt8 = 0, command: OFFlowModCommand = .add,
                idleTimeout: UInt16 = 0, hardTimeout: UInt16 = 0, priority: UInt16 = 0x8000,
                bufferID: UInt32 = OFBufferID.noBuffer, outPort: OFPortNo = .any, outGroup: UInt32 = 0xFFFF_FFFF,
                flags: OFFlowModFlags = [], match: OFMatch = OFMatch(), instructions: [OFInstruction] = []) {
        self.cookie = cookie
        self.cookieMask = cookieMask
        self.tableID = tableID
        self.command = command
        self.idleTimeout = idleTimeout
        self.hardTimeout = hardTimeout
        self.priority = priority
        self.bufferID = bufferID
        self.outPort = outPort
        self.outGroup = outGroup
        self.flags = flags
        self.match = match
        self.instructions = instructions
    }

    /// The actions of the first apply-actions instruction (all 1.0 can carry).
    public var actions: [OFAction] {
        for case .applyActions(let a) in instructions { return a }
        return []
    }

    func encode(_ w: inout ByteWriter, _ version: OFVersion) throws(OFError) {
        if version == .v1_0 {
            let actions = try OFInstruction.actions10(instructions)
            try match.encode10(&w)
            w.u64(cookie)
            w.u16(UInt16(command.rawValue))
            w.u16(idleTimeout); w.u16(hardTimeout); w.u16(priority)
            w.u32(bufferID)
            w.u16(try outPort.encode10("ofp_flow_mod.out_port"))
            w.u16(flags.rawValue)
            try OFAction.encodeList(actions, &w, .v1_0)
        } else {
            w.u64(cookie); w.u64(cookieMask)
            w.u8(tableID); w.u8(command.rawValue)
            w.u16(idleTimeout); w.u16(hardTimeout); w.u16(priority)
            w.u32(bufferID); w.u32(outPort.rawValue); w.u32(outGroup)
            w.u16(flags.rawValue); w.zeros(2)
            try match.encodeOXM(&w)
            for i in instructions { try i.encode(&w) }
        }
    }

    static func decode(_ r: inout ByteReader, _ version: OFVersion) throws(OFError) -> OFFlowMod {
        var m = OFFlowMod()
        if version == .v1_0 {
            m.match = try OFMatch.decode10(&r)
            m.cookie = try r.u64()
            let command = try r.u16()
            guard let c = OFFlowModCommand(rawValue: UInt8(clamping: command)), command <= 4 else {
                throw .badFlowModCommand(UInt8(clamping: command))
            }
            m.command = c
            m.idleTimeout = try r.u16(); m.hardTimeout = try r.u16(); m.priority = try r.u16()
            m.bufferID = try r.u32()
            m.outPort = OFPortNo(v10: try r.u16())
            m.flags = OFFlowModFlags(rawValue: try r.u16())
            let actions = try OFAction.decodeList(&r, .v1_0)
            m.instructions = actions.isEmpty ? [] : [.applyActions(actions)]
        } else {
            m.cookie = try r.u64(); m.cookieMask = try r.u64()
            m.tableID = try r.u8()
            let command = try r.u8()
            guard let c = OFFlowModCommand(rawValue: command) else { throw .badFlowModCommand(command) }
            m.command = c
            m.idleTimeout = try r.u16(); m.hardTimeout = try r.u16(); m.priority = try r.u16()
            m.bufferID = try r.u32()
            m.outPort = OFPortNo(rawValue: try r.u32())
            m.outGroup = try r.u32()
            m.flags = OFFlowModFlags(rawValue: try r.u16())
            try r.skip(2)
            m.match = try OFMatch.decodeOXM(&r)
            m.instructions = try OFInstruction.decodeList(&r)
        }
        return m
    }
}

/// FLOW_REMOVED contents.
public struct OFFlowRemoved: Hashable, Sendable {
    /// The flow's cookie.
    public var cookie: UInt64
    /// The flow's priority.
    public var priority: UInt16
    /// ``reasonIdleTimeout``, ``reasonHardTimeout``, ``reasonDelete`` (1.3: also 3, group delete).
    public var reason: UInt8
    /// The flow's table (1.3).
    public var tableID: UInt8
    /// Seconds the flow was alive.
    public var durationSec: UInt32
    /// Nanoseconds beyond ``durationSec``.
    public var durationNsec: UInt32
    /// The flow's idle timeout.
    public var idleTimeout: UInt16
    /// The flow's hard timeout (1.3).
    public var hardTimeout: UInt16
    /// Packets the flow matched.
    public var packetCount: UInt64
    /// Bytes the flow matched.
    public var byteCount: UInt64
    /// The flow's match.
    public var match: OFMatch

    /// A FLOW_REMOVED from its fields.
    public init(cookie: UInt64 = 0, priority: UInt16 = 0x8000, reason: UInt8, tableID: UInt8 = 0,
                durationSec: UInt32 = 0, durationNsec: UInt32 = 0, idleTimeout: UInt16 = 0, hardTimeout: UInt16 = 0,
                packetCount: UInt64 = 0, byteCount: UInt64 = 0, match: OFMatch = OFMatch()) {
        self.cookie = cookie
        self.priority = priority
        self.reason = reason
        self.tableID = tableID
        self.durationSec = durationSec
        self.durationNsec = durationNsec
        self.idleTimeout = idleTimeout
        self.hardTimeout = hardTimeout
        self.packetCount = packetCount
        self.byteCount = byteCount
        self.match = match
    }

    /// OFPRR_IDLE_TIMEOUT.
    public static let reasonIdleTimeout: UInt8 = 0
    /// OFPRR_HARD_TIMEOUT.
    public static let reasonHardTimeout: UInt8 = 1
    /// OFPRR_DELETE.
    public static let reasonDelete: UInt8 = 2

    func encode(_ w: inout ByteWriter, _ version: OFVersion) throws(OFError) {
        if version == .v1_0 {
            try match.encode10(&w)
            w.u64(cookie); w.u16(priority); w.u8(reason); w.zeros(1)
            w.u32(durationSec); w.u32(durationNsec)
            w.u16(idleTimeout); w.zeros(2)
            w.u64(packetCount); w.u64(byteCount)
        } else {
            w.u64(cookie); w.u16(priority); w.u8(reason); w.u8(tableID)
            w.u32(durationSec); w.u32(durationNsec)
            w.u16(idleTimeout); w.u16(hardTimeout)
            w.u64(packetCount); w.u64(byteCount)
            try match.encodeOXM(&w)
        }
    }

    static func decode(_ r: inout ByteReader, _ version: OFVersion) throws(OFError) -> OFFlowRemoved {
        var m = OFFlowRemoved(reason: 0)
        if version == .v1_0 {
            m.match = try OFMatch.decode10(&r)
            m.cookie = try r.u64(); m.priority = try r.u16(); m.reason = try r.u8()
            try r.skip(1)
            m.durationSec = try r.u32(); m.durationNsec = try r.u32()
            m.idleTimeout = try r.u16()
            try r.skip(2)
            m.packetCount = try r.u64(); m.byteCount = try r.u64()
        } else {
            m.cookie = try r.u64(); m.priority = try r.u16(); m.reason = try r.u8(); m.tableID = try r.u8()
            m.durationSec = try r.u32(); m.durationNsec = try r.u32()
            m.idleTimeout = try r.u16(); m.hardTimeout = try r.u16()
            m.packetCount = try r.u64(); m.byteCount = try r.u64()
            m.match = try OFMatch.decodeOXM(&r)
        }
        return m
    }
}
