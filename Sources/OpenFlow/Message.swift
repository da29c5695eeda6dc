/// A version-neutral OpenFlow message; ``encode(version:xid:)`` and ``decode(_:)`` convert it
/// to and from OpenFlow 1.0 and 1.3 wire bytes.
///
/// Fields one version lacks take defaults when decoding it and are ignored (or, where meaning
/// would be lost, refused with ``OFError/unsupported(_:)``) when encoding it.
public enum OFMessage: Hashable, Sendable {
    /// OFPT_HELLO.
    case hello(OFHello)
    /// OFPT_ERROR.
    case error(OFErrorMessage)
    /// OFPT_ECHO_REQUEST with arbitrary data.
    case echoRequest([UInt8])
    /// OFPT_ECHO_REPLY, echoing the request's data.
    case echoReply([UInt8])
    /// OFPT_FEATURES_REQUEST.
    case featuresRequest
    /// OFPT_FEATURES_REPLY.
    case featuresReply(OFFeatures)
    /// OFPT_GET_CONFIG_REQUEST.
    case getConfigRequest
    /// OFPT_GET_CONFIG_REPLY.
    case getConfigReply(OFSwitchConfig)
    /// OFPT_SET_CONFIG.
    case setConfig(OFSwitchConfig)
    /// OFPT_PACKET_IN.
    case packetIn(OFPacketIn)
    /// OFPT_PACKET_OUT.
    case packetOut(OFPacketOut)
    /// OFPT_FLOW_MOD.
    case flowMod(OFFlowMod)
    /// OFPT_FLOW_REMOVED.
    case flowRemoved(OFFlowRemoved)
    /// OFPT_PORT_STATUS.
    case portStatus(OFPortStatus)
    /// OFPT_BARRIER_REQUEST.
    case barrierRequest
    /// OFPT_BARRIER_REPLY.
    case barrierReply
    /// OFPT_ROLE_REQUEST (1.3 only).
    case roleRequest(OFRole)
    /// OFPT_ROLE_REPLY (1.3 only).
    case roleReply(OFRole)
    /// OFPT_STATS_REQUEST (1.0) / OFPT_MULTIPART_REQUEST (1.3); `flags` bit 0 is REQ_MORE.
    case statsRequest(OFStatsRequest, flags: UInt16 = 0)
    /// OFPT_GROUP_MOD (1.3).
    case groupMod(OFGroupMod)
    /// OFPT_METER_MOD (1.3).
    case meterMod(OFMeterMod)
    /// OFPT_STATS_REPLY (1.0) / OFPT_MULTIPART_REPLY (1.3); `flags` bit 0 is REPLY_MORE.
    case statsReply(OFStatsReply, flags: UInt16 = 0)
    /// A message type this library does not model, with its body (after the header).
    /// A switch should answer it with ERROR BAD_REQUEST/BAD_TYPE.
    case unknown(type: UInt8, body: [UInt8])
}

/// HELLO contents.
public struct OFHello: Hashable, Sendable {
    /// The header version of a received HELLO: the sender's highest version. (When encoding,
    /// the header carries the `version` passed to ``OFMessage/encode(version:xid:)`` instead.)
    public var version: UInt8
    /// Wire versions from the OFPHET_VERSIONBITMAP element, ascending; nil when there was none.
    public var versionBitmap: [UInt8]?

    /// A HELLO from its fields.
    public init(version: UInt8 = OFVersion.v1_3.rawValue, versionBitmap: [UInt8]? = nil) {
        self.version = version
        self.versionBitmap = versionBitmap
    }

    /// A HELLO offering `versions`: the header version is the highest, and the bitmap lists all.
    public init(supporting versions: [OFVersion]) {
        version = versions.max()?.rawValue ?? OFVersion.v1_3.rawValue
        versionBitmap = Set(versions.map(\.rawValue)).sorted()
    }
}

/// ERROR contents: type and code (numbered per version; see ``OFErrorType``) and data.
public struct OFErrorMessage: Hashable, Sendable {
    /// OFPET_* type.
    public var type: UInt16
    /// Type-specific code.
    public var code: UInt16
    /// Usually the start of the offending request; ASCII text for HELLO_FAILED.
    public var data: [UInt8]

    /// An error from its fields.
    public init(type: UInt16, code: UInt16, data: [UInt8] = []) {
        self.type = type
        self.code = code
        self.data = data
    }

    /// An error about `request`, carrying its first 64 bytes as the specification asks.
    public init(type: UInt16, code: UInt16, replyingTo request: [UInt8]) {
        self.init(type: type, code: code, data: Array(request.prefix(64)))
    }

    /// The error a switch sends when `request` failed to decode with `error` (see
    /// ``OFError/wireError(version:)``), carrying the request's first 64 bytes.
    public init(decoding error: OFError, request: [UInt8], version: OFVersion) {
        let (type, code) = error.wireError(version: version)
        self.init(type: type, code: code, replyingTo: request)
    }
}

/// FEATURES_REPLY contents.
public struct OFFeatures: Hashable, Sendable {
    /// Datapath id: a MAC address in the low 48 bits, implementer-defined high 16.
    public var datapathID: UInt64
    /// Packets the switch can buffer at once.
    public var nBuffers: UInt32
    /// Flow tables.
    public var nTables: UInt8
    /// Auxiliary connection id (1.3; 0 = main connection).
    public var auxiliaryID: UInt8
    /// OFPC_* capability bits (bit 3 is STP in 1.0, GROUP_STATS in 1.3).
    public var capabilities: UInt32
    /// Bitmap of supported 1.0 action types (reserved in 1.3).
    public var actions: UInt32
    /// Ports (1.0 only; 1.3 switches describe ports through the PORT_DESC multipart).
    public var ports: [OFPortDesc]

    /// Features from their fields.
    public init(datapathID: UInt64, nBuffers: UInt32 = 0, nTables: UInt8 = 1, auxiliaryID: UInt8 = 0,
                capabilities: UInt32 = 0, actions: UInt32 = 0, ports: [OFPortDesc] = []) {
        self.datapathID = datapathID
        self.nBuffers = nBuffers
        self.nTables = nTables
        self.auxiliaryID = auxiliaryID
        self.capabilities = capabilities
        self.actions = actions
        self.ports = ports
    }

    /// OFPC_FLOW_STATS.
    public static let flowStats: UInt32 = 1 << 0
    /// OFPC_TABLE_STATS.
    public static let tableStats: UInt32 = 1 << 1
    /// OFPC_PORT_STATS.
    public static let portStats: UInt32 = 1 << 2
}

/// GET_CONFIG_REPLY / SET_CONFIG contents.
public struct OFSwitchConfig: Hashable, Sendable {
    /// OFPC_FRAG_* flags.
    public var flags: UInt16
    /// Bytes of a table-miss packet to send to the controller.
    public var missSendLen: UInt16

    /// A configuration; 128 bytes is the specification's default miss_send_len.
    public init(flags: UInt16 = 0, missSendLen: UInt16 = 128) {
        self.flags = flags
        self.missSendLen = missSendLen
    }
}

/// PACKET_IN contents.
public struct OFPacketIn: Hashable, Sendable {
    /// Buffer holding the packet, or ``OFBufferID/noBuffer``.
    public var bufferID: UInt32
    /// Length of the whole frame (``data`` may be shorter).
    public var totalLen: UInt16
    /// Why: ``reasonNoMatch``, ``reasonAction``, ``reasonInvalidTTL``.
    public var reason: UInt8
    /// Table that sent the packet (1.3).
    public var tableID: UInt8
    /// Cookie of the flow entry that sent it (1.3; all ones when none).
    public var cookie: UInt64
    /// Pipeline fields; in 1.0 only ``OFMatch/inPort`` is carried.
    public var match: OFMatch
    /// The frame (or its first bytes).
    public var data: [UInt8]

    /// A PACKET_IN; `totalLen` defaults to `data.count`.
    public init(bufferID: UInt32 = OFBufferID.noBuffer, totalLen: UInt16? = nil, reason: UInt8 = Self.reasonNoMatch,
                tableID: UInt8 = 0, cookie: UInt64 = 0, match: OFMatch, data: [UInt8]) {
        self.bufferID = bufferID
        self.totalLen = totalLen ?? UInt16(clamping: data.count)
        self.reason = reason
        self.tableID = tableID
        self.cookie = cookie
        self.match = match
        self.data = data
    }

    /// The ingress port (from ``match``; ``OFPortNo/any`` when absent).
    public var inPort: OFPortNo { match.inPort ?? .any }

    /// OFPR_NO_MATCH (1.3: table-miss flow entry).
    public static let reasonNoMatch: UInt8 = 0
    /// OFPR_ACTION: output to the controller.
    public static let reasonAction: UInt8 = 1
    /// OFPR_INVALID_TTL.
    public static let reasonInvalidTTL: UInt8 = 2
}

/// PACKET_OUT contents.
public struct OFPacketOut: Hashable, Sendable {
    /// Buffered packet to send, or ``OFBufferID/noBuffer`` to send ``data``.
    public var bufferID: UInt32
    /// Ingress port for the actions' purposes (``OFPortNo/controller`` or ``OFPortNo/any`` if none).
    public var inPort: OFPortNo
    /// Actions to apply.
    public var actions: [OFAction]
    /// The frame, when not buffered.
    public var data: [UInt8]

    /// A PACKET_OUT from its fields.
    public init(bufferID: UInt32 = OFBufferID.noBuffer, inPort: OFPortNo = .controller, actions: [OFAction],
                data: [UInt8] = []) {
        self.bufferID = bufferID
        self.inPort = inPort
        self.actions = actions
        self.data = data
    }
}

/// PORT_STATUS contents.
public struct OFPortStatus: Hashable, Sendable {
    /// ``reasonAdd``, ``reasonDelete`` or ``reasonModify``.
    public var reason: UInt8
    /// The port as it is now.
    public var desc: OFPortDesc

    /// A port status from its fields.
    public init(reason: UInt8, desc: OFPortDesc) {
        self.reason = reason
        self.desc = desc
    }

    /// OFPPR_ADD.
    public static let reasonAdd: UInt8 = 0
    /// OFPPR_DELETE.
    public static let reasonDelete: UInt8 = 1
    /// OFPPR_MODIFY.
    public static let reasonModify: UInt8 = 2
}

/// ROLE_REQUEST / ROLE_REPLY contents (1.3).
public struct OFRole: Hashable, Sendable {
    /// ``noChange``, ``equal``, ``master`` or ``slave``.
    public var role: UInt32
    /// Master election generation id.
    public var generationID: UInt64

    /// A role message from its fields.
    public init(role: UInt32, generationID: UInt64 = 0) {
        self.role = role
        self.generationID = generationID
    }

    /// OFPCR_ROLE_NOCHANGE.
    public static let noChange: UInt32 = 0
    /// OFPCR_ROLE_EQUAL.
    public static let equal: UInt32 = 1
    /// OFPCR_ROLE_MASTER.
    public static let master: UInt32 = 2
    /// OFPCR_ROLE_SLAVE.
    public static let slave: UInt32 = 3
}
