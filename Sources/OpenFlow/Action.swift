/// A version-neutral action.
///
/// 1.0's fixed actions map onto these: SET_DL_SRC/DST, SET_NW_SRC/DST, SET_NW_TOS,
/// SET_VLAN_VID and SET_VLAN_PCP are ``setField(_:)`` of the matching field; STRIP_VLAN is
/// ``popVLAN``; SET_TP_SRC/DST, which in 1.0 rewrite whichever transport protocol the packet
/// has, decode to ``setTransportSrc(_:)`` / ``setTransportDst(_:)``.
public enum OFAction: Hashable, Sendable {
    /// Send out `port`; `maxLen` caps the bytes sent to the controller (0xffff: whole packet,
    /// unbuffered, OFPCML_NO_BUFFER in 1.3).
    case output(port: OFPortNo, maxLen: UInt16 = 0xFFFF)
    /// Rewrite one header field (not ``OFField/inPort(_:)``, which is no header). 1.0 takes only
    /// eth_src/dst, ipv4_src/dst, ip_dscp, vlan_vid (adds a tag if there is none), vlan_pcp and
    /// tcp/udp ports.
    case setField(OFField)
    /// Push a new outer VLAN tag with this TPID (1.3 only).
    case pushVLAN(ethertype: UInt16 = 0x8100)
    /// Remove the outer VLAN tag (1.0 STRIP_VLAN).
    case popVLAN
    /// 1.0 SET_TP_SRC: set the TCP or UDP source port, whichever the packet has (1.0 only;
    /// in 1.3 use ``setField(_:)`` with ``OFField/tcpSrc(_:)`` or ``OFField/udpSrc(_:)``).
    case setTransportSrc(UInt16)
    /// 1.0 SET_TP_DST: set the TCP or UDP destination port (1.0 only).
    case setTransportDst(UInt16)
    /// Copy the TTL inwards-out: from the header after the outermost to the outermost
    /// (IP to MPLS, MPLS to MPLS) (1.3).
    case copyTTLOut
    /// Copy the TTL outside-in: from the outermost header to the next (1.3).
    case copyTTLIn
    /// Set the outermost MPLS TTL (1.3).
    case setMPLSTTL(UInt8)
    /// Decrement the outermost MPLS TTL (1.3).
    case decMPLSTTL
    /// Push a new outermost MPLS shim header with this ethertype (0x8847 or 0x8848) (1.3).
    case pushMPLS(ethertype: UInt16)
    /// Pop the outermost MPLS shim header; `ethertype` is what the frame carries then (1.3).
    case popMPLS(ethertype: UInt16)
    /// Send through this queue of the output port (1.3).
    case setQueue(UInt32)
    /// Process the packet through this group (1.3).
    case group(UInt32)
    /// Set the IPv4 TTL or IPv6 hop limit (1.3).
    case setNwTTL(UInt8)
    /// Decrement the IPv4 TTL or IPv6 hop limit (1.3).
    case decNwTTL
    /// Push a new PBB (802.1ah) service instance header with this ethertype (0x88e7) (1.3).
    case pushPBB(ethertype: UInt16)
    /// Pop the outermost PBB service instance header (1.3).
    case popPBB

    // MARK: Encoding

    func encode(_ w: inout ByteWriter, _ version: OFVersion) throws(OFError) {
        version == .v1_0 ? try encode10(&w) : try encode13(&w)
    }

    private func encode13(_ w: inout ByteWriter) throws(OFError) {
        switch self {
        case .output(let port, let maxLen):
            w.u16(0); w.u16(16); w.u32(port.rawValue); w.u16(maxLen); w.zeros(6)
        case .setField(.inPort):
            throw .unsupported("set-field in_port: not a header field")
        case .setField(let field):
            let start = w.count
            w.u16(25); w.u16(0)
            field.writeOXM(&w)
            w.padTo8(from: start)
            try w.patchLength(at: start + 2, from: start, context: "ofp_action_set_field")
        case .pushVLAN(let ethertype):
            w.u16(17); w.u16(8); w.u16(ethertype); w.zeros(2)
        case .popVLAN:
            w.u16(18); w.u16(8); w.zeros(4)
        case .setTransportSrc, .setTransportDst:
            throw .unsupported("SET_TP_SRC/DST in 1.3: use set-field tcp/udp ports")
        case .copyTTLOut: w.u16(11); w.u16(8); w.zeros(4)
        case .copyTTLIn: w.u16(12); w.u16(8); w.zeros(4)
        case .setMPLSTTL(let t): w.u16(15); w.u16(8); w.u8(t); w.zeros(3)
        case .decMPLSTTL: w.u16(16); w.u16(8); w.zeros(4)
        case .pushMPLS(let t): w.u16(19); w.u16(8); w.u16(t); w.zeros(2)
        case .popMPLS(let t): w.u16(20); w.u16(8); w.u16(t); w.zeros(2)
        case .setQueue(let q): w.u16(21); w.u16(8); w.u32(q)
        case .group(let g): w.u16(22); w.u16(8); w.u32(g)
        case .setNwTTL(let t): w.u16(23); w.u16(8); w.u8(t); w.zeros(3)
        case .decNwTTL: w.u16(24); w.u16(8); w.zeros(4)
        case .pushPBB(let t): w.u16(26); w.u16(8); w.u16(t); w.zeros(2)
        case .popPBB: w.u16(27); w.u16(8); w.zeros(4)
        }
    }

    private func encode10(_ w: inout ByteWriter) throws(OFError) {
        func small(_ type: UInt16, _ body: (inout ByteWriter) -> Void) {
            let start = w.count
            w.u16(type); w.u16(8)
            body(&w)
            w.zeros(8 - (w.count - start))
        }
        switch self {
        case .output(let port, let maxLen):
            let p = try port.encode10("ofp_action_output")
            small(0) { $0.u16(p); $0.u16(maxLen) }
        case .popVLAN:
            small(3) { _ in }
        case .setTransportSrc(let p):
            small(9) { $0.u16(p) }
        case .setTransportDst(let p):
            small(10) { $0.u16(p) }
        case .pushVLAN:
            throw .unsupported("PUSH_VLAN in 1.0: use set-field vlan_vid")
        case .copyTTLOut, .copyTTLIn, .setMPLSTTL, .decMPLSTTL, .pushMPLS, .popMPLS, .group, .setNwTTL,
             .decNwTTL, .pushPBB, .popPBB:
            throw .unsupported("\(self) in 1.0")
        case .setQueue(let q):
            // 1.0's ENQUEUE names the port too; the queue alone has no 1.0 form.
            throw .unsupported("set-queue \(q) in 1.0: use enqueue")
        case .setField(let field):
            switch field {
            case .vlanVID(let vid) where vid & OFMatch.vlanPresent != 0: small(1) { $0.u16(vid & 0x0FFF) }
            case .vlanPCP(let pcp): small(2) { $0.u8(pcp) }
            case .ethSrc(let m), .ethDst(let m):
                w.u16(field.oxmField == 4 ? 4 : 5); w.u16(16); w.mac(m); w.zeros(6)
            case .ipv4Src(let a): small(6) { $0.u32(a.rawValue) }
            case .ipv4Dst(let a): small(7) { $0.u32(a.rawValue) }
            case .ipDSCP(let d): small(8) { $0.u8(d << 2) }
            case .tcpSrc(let p), .udpSrc(let p): small(9) { $0.u16(p) }
            case .tcpDst(let p), .udpDst(let p): small(10) { $0.u16(p) }
            default: throw .unsupported("set-field \(field) in 1.0")
            }
        }
    }

    /// Writes a list of actions.
    static func encodeList(_ actions: [OFAction], _ w: inout ByteWriter, _ version: OFVersion) throws(OFError) {
        for a in actions { try a.encode(&w, version) }
    }

    // MARK: Decoding

    /// Reads actions until `r` is exhausted.
    /// - Throws: ``OFError/badActionLength(_:)`` when an action's length is below 8, not a
    ///   multiple of 8, runs past the list or is wrong for its type, and
    ///   ``OFError/badActionType(_:)`` for types this library does not know.
    static func decodeList(_ r: inout ByteReader, _ version: OFVersion) throws(OFError) -> [OFAction] {
        var out: [OFAction] = []
        while !r.isAtEnd {
            guard r.remaining >= 4 else { throw .badActionLength(UInt16(r.remaining)) }
            var head = r
            let type = try head.u16(), len = try head.u16()
            guard len >= 8, len % 8 == 0, Int(len) <= r.remaining else { throw .badActionLength(len) }
            var body = try r.sub(Int(len), context: "action \(type)")
            try body.skip(4)
            out.append(version == .v1_0 ? try decode10(type, len, &body) : try decode13(type, len, &body))
        }
        return out
    }

    private static func decode13(_ type: UInt16, _ len: UInt16, _ r: inout ByteReader) throws(OFError) -> OFAction {
        switch type {
        case 0:
            guard len == 16 else { throw .badActionLength(len) }
            return .output(port: OFPortNo(rawValue: try r.u32()), maxLen: try r.u16())
        case 17:
            guard len == 8 else { throw .badActionLength(len) }
            return .pushVLAN(ethertype: try r.u16())
        case 18:
            guard len == 8 else { throw .badActionLength(len) }
            return .popVLAN
        case 11, 12, 16, 24, 27:
            guard len == 8 else { throw .badActionLength(len) }
            return type == 11 ? .copyTTLOut : type == 12 ? .copyTTLIn : type == 16 ? .decMPLSTTL : type == 24 ? .decNwTTL : .popPBB
        case 15, 23:
            guard len == 8 else { throw .badActionLength(len) }
            let ttl = try r.u8()
            return type == 15 ? .setMPLSTTL(ttl) : .setNwTTL(ttl)
        case 19, 20, 26:
            guard len == 8 else { throw .badActionLength(len) }
            let t = try r.u16()
            return type == 19 ? .pushMPLS(ethertype: t) : type == 20 ? .popMPLS(ethertype: t) : .pushPBB(ethertype: t)
        case 21, 22:
            guard len == 8 else { throw .badActionLength(len) }
            let v = try r.u32()
            return type == 21 ? .setQueue(v) : .group(v)
        case 25:
            let (value, mask) = try OFField.readOXM(&r)
            guard mask == nil else { throw .badOXMLength(field: value.oxmField, length: 0) }
            if case .inPort = value { throw .badSetField(value.oxmField) }
            return .setField(value)
        default:
            throw .badActionType(type)
        }
    }

    private static func decode10(_ type: UInt16, _ len: UInt16, _ r: inout ByteReader) throws(OFError) -> OFAction {
        guard type <= 10 else { throw .badActionType(type) }
        guard len == (type == 4 || type == 5 ? 16 : 8) else { throw .badActionLength(len) }
        switch type {
        case 0: return .output(port: OFPortNo(v10: try r.u16()), maxLen: try r.u16())
        case 1: return .setField(.vlanVID(OFMatch.vlanPresent | (try r.u16() & 0x0FFF)))
        case 2: return .setField(.vlanPCP(try r.u8()))
        case 3: return .popVLAN
        case 4: return .setField(.ethSrc(try r.mac()))
        case 5: return .setField(.ethDst(try r.mac()))
        case 6: return .setField(.ipv4Src(OFIPv4Address(rawValue: try r.u32())))
        case 7: return .setField(.ipv4Dst(OFIPv4Address(rawValue: try r.u32())))
        case 8: return .setField(.ipDSCP(try r.u8() >> 2))
        case 9: return .setTransportSrc(try r.u16())
        default: return .setTransportDst(try r.u16())
        }
    }
}

/// A 1.3 instruction. In 1.0, a FLOW_MOD's action list is carried as one ``applyActions(_:)``.
public enum OFInstruction: Hashable, Sendable {
    /// Continue the pipeline at this table (OFPIT_GOTO_TABLE).
    case gotoTable(UInt8)
    /// Merge these actions into the action set (OFPIT_WRITE_ACTIONS).
    case writeActions([OFAction])
    /// Apply these actions now (OFPIT_APPLY_ACTIONS).
    case applyActions([OFAction])
    /// Empty the action set (OFPIT_CLEAR_ACTIONS).
    case clearActions
    /// Send through this meter (OFPIT_METER).
    case meter(UInt32)
    /// Set the metadata bits under `mask` to those of `value` (OFPIT_WRITE_METADATA).
    case writeMetadata(value: UInt64, mask: UInt64)

    func encode(_ w: inout ByteWriter) throws(OFError) {
        let start = w.count
        switch self {
        case .gotoTable(let t):
            w.u16(1); w.u16(8); w.u8(t); w.zeros(3)
        case .writeActions(let actions), .applyActions(let actions):
            w.u16(self == .writeActions(actions) ? 3 : 4); w.u16(0); w.zeros(4)
            try OFAction.encodeList(actions, &w, .v1_3)
            try w.patchLength(at: start + 2, from: start, context: "ofp_instruction_actions")
        case .clearActions:
            w.u16(5); w.u16(8); w.zeros(4)
        case .meter(let id):
            w.u16(6); w.u16(8); w.u32(id)
        case .writeMetadata(let value, let mask):
            w.u16(2); w.u16(24); w.zeros(4); w.u64(value); w.u64(mask)
        }
    }

    /// Reads instructions until `r` is exhausted.
    static func decodeList(_ r: inout ByteReader) throws(OFError) -> [OFInstruction] {
        var out: [OFInstruction] = []
        while !r.isAtEnd {
            guard r.remaining >= 4 else { throw .badInstructionLength(UInt16(r.remaining)) }
            var head = r
            let type = try head.u16(), len = try head.u16()
            guard len >= 8, len % 8 == 0, Int(len) <= r.remaining else { throw .badInstructionLength(len) }
            var body = try r.sub(Int(len), context: "instruction \(type)")
            try body.skip(4)
            switch type {
            case 1, 5, 6:
                guard len == 8 else { throw .badInstructionLength(len) }
                out.append(type == 1 ? .gotoTable(try body.u8()) : type == 5 ? .clearActions : .meter(try body.u32()))
            case 2:
                guard len == 24 else { throw .badInstructionLength(len) }
                try body.skip(4)
                out.append(.writeMetadata(value: try body.u64(), mask: try body.u64()))
            case 3, 4:
                try body.skip(4)
                let actions = try OFAction.decodeList(&body, .v1_3)
                out.append(type == 3 ? .writeActions(actions) : .applyActions(actions))
            default:
                throw .badInstructionType(type)
            }
        }
        return out
    }

    /// Instructions as 1.0 actions: nothing, or one apply-actions.
    static func actions10(_ instructions: [OFInstruction]) throws(OFError) -> [OFAction] {
        switch instructions.count {
        case 0: return []
        case 1:
            if case .applyActions(let a) = instructions[0] { return a }
            fallthrough
        default:
            throw .unsupported("1.0 takes one apply-actions list, not \(instructions)")
        }
    }
}
