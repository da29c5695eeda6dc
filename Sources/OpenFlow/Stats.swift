/// A statistics (1.0) / multipart (1.3) request body.
public enum OFStatsRequest: Hashable, Sendable {
    /// OFPST_DESC / OFPMP_DESC: switch description.
    case desc
    /// OFPST_FLOW / OFPMP_FLOW: per-flow statistics.
    case flow(OFFlowStatsRequest)
    /// OFPST_AGGREGATE / OFPMP_AGGREGATE: totals over matching flows.
    case aggregate(OFFlowStatsRequest)
    /// OFPST_TABLE / OFPMP_TABLE: per-table statistics.
    case table
    /// OFPST_PORT / OFPMP_PORT_STATS for one port, or ``OFPortNo/any`` for all.
    case port(OFPortNo)
    /// OFPMP_PORT_DESC (1.3 only): port descriptions.
    case portDesc
    /// OFPMP_GROUP (1.3): counters of one group, or of all (OFPG_ALL).
    case group(UInt32)
    /// OFPMP_GROUP_DESC (1.3): every group's type and buckets.
    case groupDesc
    /// OFPMP_GROUP_FEATURES (1.3).
    case groupFeatures
    /// OFPMP_METER (1.3): counters of one meter, or of all (OFPM_ALL).
    case meter(UInt32)
    /// OFPMP_METER_CONFIG (1.3): one meter's bands, or every meter's.
    case meterConfig(UInt32)
    /// OFPMP_METER_FEATURES (1.3).
    case meterFeatures
    /// Another stats type, with its body; answer with ERROR BAD_REQUEST/BAD_MULTIPART.
    case unknown(type: UInt16, body: [UInt8])

    /// The OFPST_* / OFPMP_* number.
    public var statsType: UInt16 {
        switch self {
        case .desc: 0
        case .flow: 1
        case .aggregate: 2
        case .table: 3
        case .port: 4
        case .portDesc: 13
        case .group: 6
        case .groupDesc: 7
        case .groupFeatures: 8
        case .meter: 9
        case .meterConfig: 10
        case .meterFeatures: 11
        case .unknown(let t, _): t
        }
    }
}

/// A statistics / multipart reply body.
public enum OFStatsReply: Hashable, Sendable {
    /// Switch description.
    case desc(OFDescStats)
    /// Per-flow statistics.
    case flow([OFFlowStats])
    /// Totals over matching flows.
    case aggregate(OFAggregateStats)
    /// Per-table statistics.
    case table([OFTableStats])
    /// Per-port statistics.
    case port([OFPortStats])
    /// Port descriptions (1.3 only).
    case portDesc([OFPortDesc])
    /// Group counters (1.3).
    case group([OFGroupStats])
    /// Group descriptions (1.3).
    case groupDesc([OFGroupDesc])
    /// Group features (1.3).
    case groupFeatures(OFGroupFeatures)
    /// Meter counters (1.3).
    case meter([OFMeterStats])
    /// Meter configurations (1.3).
    case meterConfig([OFMeterConfig])
    /// Meter features (1.3).
    case meterFeatures(OFMeterFeatures)
    /// Another stats type, with its body.
    case unknown(type: UInt16, body: [UInt8])

    /// The OFPST_* / OFPMP_* number.
    public var statsType: UInt16 {
        switch self {
        case .desc: 0
        case .flow: 1
        case .aggregate: 2
        case .table: 3
        case .port: 4
        case .portDesc: 13
        case .group: 6
        case .groupDesc: 7
        case .groupFeatures: 8
        case .meter: 9
        case .meterConfig: 10
        case .meterFeatures: 11
        case .unknown(let t, _): t
        }
    }
}

/// The body of a FLOW or AGGREGATE request.
public struct OFFlowStatsRequest: Hashable, Sendable {
    /// Table to read, or 0xff for all.
    public var tableID: UInt8
    /// Only flows outputting to this port (``OFPortNo/any``: no restriction).
    public var outPort: OFPortNo
    /// Only flows outputting to this group (1.3; 0xffffffff: no restriction).
    public var outGroup: UInt32
    /// Only flows whose cookie matches under ``cookieMask`` (1.3).
    public var cookie: UInt64
    /// Cookie bits that must match (1.3; 0: any).
    public var cookieMask: UInt64
    /// Only flows this match covers.
    public var match: OFMatch

    /// A request for all flows by default.
    public init(tableID: UInt8 = 0xFF, outPort: OFPortNo = .any, outGroup: UInt32 = 0xFFFF_FFFF,
                cookie: UInt64 = 0, cookieMask: UInt64 = 0, match: OFMatch = OFMatch()) {
        self.tableID = tableID
        self.outPort = outPort
        self.outGroup = outGroup
        self.cookie = cookie
        self.cookieMask = cookieMask
        self.match = match
    }
}

/// DESC reply: NUL-padded ASCII strings (256 bytes each; serial number 32).
public struct OFDescStats: Hashable, Sendable {
    /// Manufacturer.
    public var mfrDesc: String
    /// Hardware.
    public var hwDesc: String
    /// Software.
    public var swDesc: String
    /// Serial number.
    public var serialNum: String
    /// Human-readable datapath description.
    public var dpDesc: String

    /// A description from its strings.
    public init(mfrDesc: String = "", hwDesc: String = "", swDesc: String = "", serialNum: String = "",
                dpDesc: String = "") {
        self.mfrDesc = mfrDesc
        self.hwDesc = hwDesc
        self.swDesc = swDesc
        self.serialNum = serialNum
        self.dpDesc = dpDesc
    }
}

/// One flow in a FLOW reply.
public struct OFFlowStats: Hashable, Sendable {
    /// The flow's table.
    public var tableID: UInt8
    /// Seconds alive.
    public var durationSec: UInt32
    /// Nanoseconds beyond ``durationSec``.
    public var durationNsec: UInt32
    /// Priority.
    public var priority: UInt16
    /// Idle timeout.
    public var idleTimeout: UInt16
    /// Hard timeout.
    public var hardTimeout: UInt16
    /// FLOW_MOD flags (1.3).
    public var flags: OFFlowModFlags
    /// Cookie.
    public var cookie: UInt64
    /// Packets matched.
    public var packetCount: UInt64
    /// Bytes matched.
    public var byteCount: UInt64
    /// Match.
    public var match: OFMatch
    /// Instructions (in 1.0, one apply-actions with the flow's actions).
    public var instructions: [OFInstruction]

    /// Flow statistics from their fields.
    public init(tableID: UInt8 = 0, durationSec: UInt32 = 0, durationNsec: UInt32 = 0, priority: UInt16 = 0x8000,
                idleTimeout: UInt16 = 0, hardTimeout: UInt16 = 0, flags: OFFlowModFlags = [], cookie: UInt64 = 0,
                packetCount: UInt64 = 0, byteCount: UInt64 = 0, match: OFMatch = OFMatch(),
                instructions: [OFInstruction] = []) {
        self.tableID = tableID
        self.durationSec = durationSec
        self.durationNsec = durationNsec
        self.priority = priority
        self.idleTimeout = idleTimeout
        self.hardTimeout = hardTimeout
        self.flags = flags
        self.cookie = cookie
        self.packetCount = packetCount
        self.byteCount = byteCount
        self.match = match
        self.instructions = instructions
    }
}

/// AGGREGATE reply.
public struct OFAggregateStats: Hashable, Sendable {
    /// Packets over all matching flows.
    public var packetCount: UInt64
    /// Bytes over all matching flows.
    public var byteCount: UInt64
    /// Matching flows.
    public var flowCount: UInt32

    /// Totals from their fields.
    public init(packetCount: UInt64 = 0, byteCount: UInt64 = 0, flowCount: UInt32 = 0) {
        self.packetCount = packetCount
        self.byteCount = byteCount
        self.flowCount = flowCount
    }
}

/// One table in a TABLE reply.
public struct OFTableStats: Hashable, Sendable {
    /// Table id.
    public var tableID: UInt8
    /// Name (1.0 only).
    public var name: String
    /// OFPFW_* wildcards the table supports (1.0 only).
    public var wildcards: UInt32
    /// Maximum entries (1.0 only).
    public var maxEntries: UInt32
    /// Entries in use.
    public var activeCount: UInt32
    /// Packets looked up.
    public var lookupCount: UInt64
    /// Packets that hit.
    public var matchedCount: UInt64

    /// Table statistics from their fields.
    public init(tableID: UInt8, name: String = "", wildcards: UInt32 = 0, maxEntries: UInt32 = 0,
                activeCount: UInt32 = 0, lookupCount: UInt64 = 0, matchedCount: UInt64 = 0) {
        self.tableID = tableID
        self.name = name
        self.wildcards = wildcards
        self.maxEntries = maxEntries
        self.activeCount = activeCount
        self.lookupCount = lookupCount
        self.matchedCount = matchedCount
    }
}

/// One port in a PORT reply; unsupported counters are all ones by convention.
public struct OFPortStats: Hashable, Sendable {
    /// Port number.
    public var portNo: OFPortNo
    /// Counters in wire order: rx/tx packets, rx/tx bytes, rx/tx dropped, rx/tx errors,
    /// rx frame errors, rx overruns, rx CRC errors, collisions.
    public var rxPackets: UInt64, txPackets: UInt64, rxBytes: UInt64, txBytes: UInt64
    /// Dropped and error counters.
    public var rxDropped: UInt64, txDropped: UInt64, rxErrors: UInt64, txErrors: UInt64
    /// Low-level error counters.
    public var rxFrameErr: UInt64, rxOverErr: UInt64, rxCrcErr: UInt64, collisions: UInt64
    /// Seconds the port has been alive (1.3).
    public var durationSec: UInt32
    /// Nanoseconds beyond ``durationSec`` (1.3).
    public var durationNsec: UInt32

    /// Port statistics; unspecified counters are zero.
    public init(portNo: OFPortNo, rxPackets: UInt64 = 0, txPackets: UInt64 = 0, rxBytes: UInt64 = 0,
                txBytes: UInt64 = 0, rxDropped: UInt64 = 0, txDropped: UInt64 = 0, rxErrors: UInt64 = 0,
                txErrors: UInt64 = 0, rxFrameErr: UInt64 = 0, rxOverErr: UInt64 = 0, rxCrcErr: UInt64 = 0,
                collisions: UInt64 = 0, durationSec: UInt32 = 0, durationNsec: UInt32 = 0) {
        self.portNo = portNo
        self.rxPackets = rxPackets
        self.txPackets = txPackets
        self.rxBytes = rxBytes
        self.txBytes = txBytes
        self.rxDropped = rxDropped
        self.txDropped = txDropped
        self.rxErrors = rxErrors
        self.txErrors = txErrors
        self.rxFrameErr = rxFrameErr
        self.rxOverErr = rxOverErr
        self.rxCrcErr = rxCrcErr
        self.collisions = collisions
        self.durationSec = durationSec
        self.durationNsec = durationNsec
    }

    /// The twelve counters in wire order.
    var counters: [UInt64] {
        [rxPackets, txPackets, rxBytes, txBytes, rxDropped, txDropped, rxErrors, txErrors,
         rxFrameErr, rxOverErr, rxCrcErr, collisions]
    }
}
