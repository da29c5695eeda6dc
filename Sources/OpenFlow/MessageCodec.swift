// Encoding and decoding of whole OFMessages.

extension OFMessage {
    /// The message as wire bytes in `version`, header included.
    /// - Throws: ``OFError/unsupported(_:)`` for what `version` cannot express (ROLE_REQUEST,
    ///   PORT_DESC or an IPv6 match in 1.0; SET_TP_SRC in 1.3), and
    ///   ``OFError/valueOutOfRange(_:)`` for values that do not fit (a 32-bit port in 1.0, a
    ///   message over 65535 bytes).
    public func encode(version: OFVersion, xid: UInt32 = 0) throws(OFError) -> [UInt8] {
        var w = ByteWriter(capacity: 128)
        w.u8(version.rawValue); w.u8(0); w.u16(0); w.u32(xid)
        w.bytes[1] = try encodeBody(&w, version)
        try w.patchLength(at: 2, from: 0, context: "ofp_header")
        return w.bytes
    }

    /// Writes the body and returns the message type.
    private func encodeBody(_ w: inout ByteWriter, _ v: OFVersion) throws(OFError) -> UInt8 {
        switch self {
        case .hello(let h):
            if v == .v1_3, let bitmap = h.versionBitmap, !bitmap.isEmpty {
                var words = [UInt32](repeating: 0, count: Int(bitmap.max()!) / 32 + 1)
                for ver in bitmap { words[Int(ver) / 32] |= 1 << UInt32(ver % 32) }
                w.u16(1)  // OFPHET_VERSIONBITMAP
                w.u16(UInt16(4 + 4 * words.count))
                for word in words { w.u32(word) }
                w.padTo8()
            }
            return OFType.hello
        case .error(let e):
            w.u16(e.type); w.u16(e.code); w.append(e.data)
            return OFType.error
        case .echoRequest(let data):
            w.append(data)
            return OFType.echoRequest
        case .echoReply(let data):
            w.append(data)
            return OFType.echoReply
        case .featuresRequest:
            return OFType.featuresRequest
        case .featuresReply(let f):
            w.u64(f.datapathID); w.u32(f.nBuffers); w.u8(f.nTables)
            if v == .v1_0 { w.zeros(3) } else { w.u8(f.auxiliaryID); w.zeros(2) }
            w.u32(f.capabilities); w.u32(f.actions)
            if v == .v1_0 { for p in f.ports { try p.encode(&w, v) } }
            return OFType.featuresReply
        case .getConfigRequest:
            return OFType.getConfigRequest
        case .getConfigReply(let c), .setConfig(let c):
            w.u16(c.flags); w.u16(c.missSendLen)
            if case .setConfig = self { return OFType.setConfig }
            return OFType.getConfigReply
        case .packetIn(let p):
            w.u32(p.bufferID); w.u16(p.totalLen)
            if v == .v1_0 {
                w.u16(try p.inPort.encode10("ofp_packet_in.in_port")); w.u8(p.reason); w.zeros(1)
            } else {
                w.u8(p.reason); w.u8(p.tableID); w.u64(p.cookie)
                try p.match.encodeOXM(&w)
                w.zeros(2)
            }
            w.append(p.data)
            return OFType.packetIn
        case .packetOut(let p):
            w.u32(p.bufferID)
            if v == .v1_0 { w.u16(try p.inPort.encode10("ofp_packet_out.in_port")) } else { w.u32(p.inPort.rawValue) }
            let lengthAt = w.count
            w.u16(0)
            if v == .v1_3 { w.zeros(6) }
            let actionsStart = w.count
            try OFAction.encodeList(p.actions, &w, v)
            try w.patchLength(at: lengthAt, from: actionsStart, context: "ofp_packet_out.actions_len")
            w.append(p.data)
            return OFType.packetOut
        case .flowMod(let m):
            try m.encode(&w, v)
            return OFType.flowMod
        case .flowRemoved(let m):
            try m.encode(&w, v)
            return OFType.flowRemoved
        case .portStatus(let s):
            w.u8(s.reason); w.zeros(7)
            try s.desc.encode(&w, v)
            return OFType.portStatus
        case .barrierRequest:
            return OFType.barrierRequest(v)
        case .barrierReply:
            return OFType.barrierReply(v)
        case .roleRequest(let r), .roleReply(let r):
            guard v == .v1_3 else { throw .unsupported("ROLE_REQUEST/REPLY in 1.0") }
            w.u32(r.role); w.zeros(4); w.u64(r.generationID)
            if case .roleRequest = self { return OFType.roleRequest }
            return OFType.roleReply
        case .statsRequest(let q, let flags):
            try q.encode(&w, v, flags: flags)
            return OFType.statsRequest(v)
        case .groupMod(let g):
            guard v == .v1_3 else { throw .unsupported("GROUP_MOD in 1.0") }
            try g.encode(&w)
            return OFType.groupMod
        case .meterMod(let m):
            guard v == .v1_3 else { throw .unsupported("METER_MOD in 1.0") }
            m.encode(&w)
            return OFType.meterMod
        case .statsReply(let q, let flags):
            try q.encode(&w, v, flags: flags)
            return OFType.statsReply(v)
        case .unknown(let type, let body):
            w.append(body)
            return type
        }
    }

    /// Decodes one whole message (exactly `header.length` bytes).
    ///
    /// HELLO decodes whatever its version, so a peer's version can be negotiated; every other
    /// message must be 1.0 or 1.3. Message types this library does not model come back as
    /// ``unknown(type:body:)``.
    /// - Throws: ``OFError`` on short input, a length field that disagrees with `bytes.count`
    ///   or with the structures inside, an unsupported version, or malformed matches, actions
    ///   and instructions. It never traps.
    public static func decode(_ bytes: [UInt8]) throws(OFError) -> (header: OFHeader, message: OFMessage) {
        let header = try OFHeader(bytes: bytes)
        guard Int(header.length) <= bytes.count else {
            throw .truncated("ofp_header: length \(header.length), only \(bytes.count) bytes")
        }
        guard Int(header.length) == bytes.count else {
            throw .badLength("ofp_header: length \(header.length), but \(bytes.count) bytes given")
        }
        var r = ByteReader(bytes, context: "message type \(header.type)")
        try r.skip(OFHeader.size)
        if header.type == OFType.hello {
            return (header, .hello(try decodeHello(&r, version: header.version)))
        }
        guard let v = header.ofVersion else { throw .unsupportedVersion(header.version) }
        return (header, try decodeBody(type: header.type, &r, v))
    }

    private static func decodeHello(_ r: inout ByteReader, version: UInt8) throws(OFError) -> OFHello {
        var hello = OFHello(version: version)
        guard version >= OFVersion.v1_3.rawValue else { return hello }  // 1.0: the body is ignored
        while r.remaining >= 4 {
            let type = try r.u16(), length = Int(try r.u16())
            guard length >= 4, length - 4 <= r.remaining else {
                throw .badLength("hello element: length \(length) with \(r.remaining + 4) bytes left")
            }
            var body = try r.sub(length - 4, context: "hello element")
            try r.skip(min(roundUp8(length) - length, r.remaining))
            guard type == 1 else { continue }  // only OFPHET_VERSIONBITMAP is defined
            guard body.remaining % 4 == 0 else { throw .badLength("version bitmap: \(body.remaining) bytes") }
            var versions: [UInt8] = []
            var word = 0
            while !body.isAtEnd {
                let bits = try body.u32()
                for bit in 0..<32 where bits & (1 << UInt32(bit)) != 0 && word * 32 + bit <= 255 {
                    versions.append(UInt8(word * 32 + bit))
                }
                word += 1
            }
            hello.versionBitmap = versions
        }
        return hello
    }

    private static func decodeBody(type: UInt8, _ r: inout ByteReader, _ v: OFVersion) throws(OFError) -> OFMessage {
        let message: OFMessage
        switch type {
        case OFType.error:
            return .error(OFErrorMessage(type: try r.u16(), code: try r.u16(), data: r.rest()))
        case OFType.echoRequest:
            return .echoRequest(r.rest())
        case OFType.echoReply:
            return .echoReply(r.rest())
        case OFType.featuresRequest:
            message = .featuresRequest
        case OFType.featuresReply:
            var f = OFFeatures(datapathID: try r.u64(), nBuffers: try r.u32(), nTables: try r.u8())
            if v == .v1_0 { try r.skip(3) } else { f.auxiliaryID = try r.u8(); try r.skip(2) }
            f.capabilities = try r.u32(); f.actions = try r.u32()
            if v == .v1_0 {
                guard r.remaining % 48 == 0 else { throw .badLength("features reply: \(r.remaining) bytes of ports") }
                while !r.isAtEnd { f.ports.append(try OFPortDesc.decode(&r, v)) }
            }
            message = .featuresReply(f)
        case OFType.getConfigRequest:
            message = .getConfigRequest
        case OFType.getConfigReply, OFType.setConfig:
            let c = OFSwitchConfig(flags: try r.u16(), missSendLen: try r.u16())
            message = type == OFType.setConfig ? .setConfig(c) : .getConfigReply(c)
        case OFType.packetIn:
            let bufferID = try r.u32(), totalLen = try r.u16()
            if v == .v1_0 {
                let port = OFPortNo(v10: try r.u16()), reason = try r.u8()
                try r.skip(1)
                return .packetIn(OFPacketIn(bufferID: bufferID, totalLen: totalLen, reason: reason,
                                            match: OFMatch(inPort: port), data: r.rest()))
            }
            let reason = try r.u8(), table = try r.u8(), cookie = try r.u64()
            let match = try OFMatch.decodeOXM(&r)
            try r.skip(2)
            return .packetIn(OFPacketIn(bufferID: bufferID, totalLen: totalLen, reason: reason, tableID: table,
                                        cookie: cookie, match: match, data: r.rest()))
        case OFType.packetOut:
            let bufferID = try r.u32()
            let port = v == .v1_0 ? OFPortNo(v10: try r.u16()) : OFPortNo(rawValue: try r.u32())
            let actionsLen = Int(try r.u16())
            if v == .v1_3 { try r.skip(6) }
            guard actionsLen <= r.remaining else {
                throw .badLength("packet out: actions_len \(actionsLen) with \(r.remaining) bytes left")
            }
            var actionBytes = try r.sub(actionsLen, context: "packet out actions")
            let actions = try OFAction.decodeList(&actionBytes, v)
            return .packetOut(OFPacketOut(bufferID: bufferID, inPort: port, actions: actions, data: r.rest()))
        case OFType.flowMod:
            message = .flowMod(try OFFlowMod.decode(&r, v))
        case OFType.flowRemoved:
            message = .flowRemoved(try OFFlowRemoved.decode(&r, v))
        case OFType.portStatus:
            let reason = try r.u8()
            try r.skip(7)
            message = .portStatus(OFPortStatus(reason: reason, desc: try OFPortDesc.decode(&r, v)))
        case OFType.barrierRequest(v):
            message = .barrierRequest
        case OFType.barrierReply(v):
            message = .barrierReply
        case OFType.roleRequest where v == .v1_3, OFType.roleReply where v == .v1_3:
            let role = try r.u32()
            try r.skip(4)
            let generation = try r.u64()
            message = type == OFType.roleRequest ? .roleRequest(OFRole(role: role, generationID: generation))
                                                 : .roleReply(OFRole(role: role, generationID: generation))
        case OFType.groupMod where v == .v1_3:
            message = .groupMod(try OFGroupMod.decode(&r))
        case OFType.meterMod where v == .v1_3:
            message = .meterMod(try OFMeterMod.decode(&r))
        case OFType.statsRequest(v):
            let (q, flags) = try OFStatsRequest.decode(&r, v)
            return .statsRequest(q, flags: flags)
        case OFType.statsReply(v):
            let (q, flags) = try OFStatsReply.decode(&r, v)
            return .statsReply(q, flags: flags)
        default:
            return .unknown(type: type, body: r.rest())
        }
        try r.expectEnd()
        return message
    }
}
