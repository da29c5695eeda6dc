// Wire forms of stats (1.0) and multipart (1.3) requests and replies, after the ofp_header:
// type, flags, (1.3: 4 bytes of padding), body.

extension OFFlowStatsRequest {
    func encode(_ w: inout ByteWriter, _ version: OFVersion) throws(OFError) {
        if version == .v1_0 {
            try match.encode10(&w)
            w.u8(tableID); w.zeros(1)
            w.u16(try outPort.encode10("ofp_flow_stats_request.out_port"))
        } else {
            w.u8(tableID); w.zeros(3)
            w.u32(outPort.rawValue); w.u32(outGroup); w.zeros(4)
            w.u64(cookie); w.u64(cookieMask)
            try match.encodeOXM(&w)
        }
    }

    static func decode(_ r: inout ByteReader, _ version: OFVersion) throws(OFError) -> OFFlowStatsRequest {
        var q = OFFlowStatsRequest()
        if version == .v1_0 {
            q.match = try OFMatch.decode10(&r)
            q.tableID = try r.u8()
            try r.skip(1)
            q.outPort = OFPortNo(v10: try r.u16())
        } else {
            q.tableID = try r.u8()
            try r.skip(3)
            q.outPort = OFPortNo(rawValue: try r.u32())
            q.outGroup = try r.u32()
            try r.skip(4)
            q.cookie = try r.u64(); q.cookieMask = try r.u64()
            q.match = try OFMatch.decodeOXM(&r)
        }
        return q
    }
}

extension OFStatsRequest {
    func encode(_ w: inout ByteWriter, _ version: OFVersion, flags: UInt16) throws(OFError) {
        w.u16(statsType); w.u16(flags)
        if version == .v1_3 { w.zeros(4) }
        switch self {
        case .desc, .table: break
        case .flow(let q), .aggregate(let q): try q.encode(&w, version)
        case .port(let p):
            if version == .v1_0 {
                w.u16(try p.encode10("ofp_port_stats_request")); w.zeros(6)
            } else {
                w.u32(p.rawValue); w.zeros(4)
            }
        case .portDesc:
            guard version == .v1_3 else { throw .unsupported("PORT_DESC multipart in 1.0") }
        case .group(let id):
            guard version == .v1_3 else { throw .unsupported("group multipart in 1.0") }
            w.u32(id); w.zeros(4)
        case .groupDesc, .groupFeatures, .meterFeatures:
            guard version == .v1_3 else { throw .unsupported("group and meter multiparts in 1.0") }
        case .meter(let id), .meterConfig(let id):
            guard version == .v1_3 else { throw .unsupported("meter multipart in 1.0") }
            w.u32(id); w.zeros(4)
        case .unknown(_, let body): w.append(body)
        }
    }

    static func decode(_ r: inout ByteReader, _ version: OFVersion) throws(OFError) -> (OFStatsRequest, UInt16) {
        let type = try r.u16(), flags = try r.u16()
        if version == .v1_3 { try r.skip(4) }
        let body: OFStatsRequest
        switch (type, version) {
        case (0, _): body = .desc
        case (1, _): body = .flow(try OFFlowStatsRequest.decode(&r, version))
        case (2, _): body = .aggregate(try OFFlowStatsRequest.decode(&r, version))
        case (3, _): body = .table
        case (4, .v1_0):
            body = .port(OFPortNo(v10: try r.u16()))
            try r.skip(6)
        case (4, .v1_3):
            body = .port(OFPortNo(rawValue: try r.u32()))
            try r.skip(4)
        case (13, .v1_3): body = .portDesc
        case (6, .v1_3):
            body = .group(try r.u32())
            try r.skip(4)
        case (7, .v1_3): body = .groupDesc
        case (8, .v1_3): body = .groupFeatures
        case (9, .v1_3), (10, .v1_3):
            let id = try r.u32()
            try r.skip(4)
            body = type == 9 ? .meter(id) : .meterConfig(id)
        case (11, .v1_3): body = .meterFeatures
        default: return (.unknown(type: type, body: r.rest()), flags)
        }
        try r.expectEnd()
        return (body, flags)
    }
}

extension OFStatsReply {
    func encode(_ w: inout ByteWriter, _ version: OFVersion, flags: UInt16) throws(OFError) {
        w.u16(statsType); w.u16(flags)
        if version == .v1_3 { w.zeros(4) }
        switch self {
        case .desc(let d):
            w.string(d.mfrDesc, 256); w.string(d.hwDesc, 256); w.string(d.swDesc, 256)
            w.string(d.serialNum, 32); w.string(d.dpDesc, 256)
        case .flow(let flows):
            for f in flows { try Self.encodeFlow(f, &w, version) }
        case .aggregate(let a):
            w.u64(a.packetCount); w.u64(a.byteCount); w.u32(a.flowCount); w.zeros(4)
        case .table(let tables):
            for t in tables {
                w.u8(t.tableID); w.zeros(3)
                if version == .v1_0 {
                    w.string(t.name, 32); w.u32(t.wildcards); w.u32(t.maxEntries)
                }
                w.u32(t.activeCount); w.u64(t.lookupCount); w.u64(t.matchedCount)
            }
        case .port(let ports):
            for p in ports {
                if version == .v1_0 {
                    w.u16(try p.portNo.encode10("ofp_port_stats")); w.zeros(6)
                } else {
                    w.u32(p.portNo.rawValue); w.zeros(4)
                }
                for c in p.counters { w.u64(c) }
                if version == .v1_3 { w.u32(p.durationSec); w.u32(p.durationNsec) }
            }
        case .portDesc(let ports):
            guard version == .v1_3 else { throw .unsupported("PORT_DESC multipart in 1.0") }
            for p in ports { try p.encode(&w, version) }
        case .group(let groups):
            for g in groups { try g.encode(&w) }
        case .groupDesc(let groups):
            for g in groups { try g.encode(&w) }
        case .groupFeatures(let f):
            f.encode(&w)
        case .meter(let meters):
            for m in meters { try m.encode(&w) }
        case .meterConfig(let configs):
            for c in configs { try c.encode(&w) }
        case .meterFeatures(let f):
            f.encode(&w)
        case .unknown(_, let body):
            w.append(body)
        }
    }

    private static func encodeFlow(_ f: OFFlowStats, _ w: inout ByteWriter, _ version: OFVersion) throws(OFError) {
        let start = w.count
        w.u16(0); w.u8(f.tableID); w.zeros(1)
        if version == .v1_0 {
            let actions = try OFInstruction.actions10(f.instructions)
            try f.match.encode10(&w)
            w.u32(f.durationSec); w.u32(f.durationNsec)
            w.u16(f.priority); w.u16(f.idleTimeout); w.u16(f.hardTimeout); w.zeros(6)
            w.u64(f.cookie); w.u64(f.packetCount); w.u64(f.byteCount)
            try OFAction.encodeList(actions, &w, .v1_0)
        } else {
            w.u32(f.durationSec); w.u32(f.durationNsec)
            w.u16(f.priority); w.u16(f.idleTimeout); w.u16(f.hardTimeout); w.u16(f.flags.rawValue); w.zeros(4)
            w.u64(f.cookie); w.u64(f.packetCount); w.u64(f.byteCount)
            try f.match.encodeOXM(&w)
            for i in f.instructions { try i.encode(&w) }
        }
        try w.patchLength(at: start, from: start, context: "ofp_flow_stats")
    }

    private static func decodeFlow(_ r: inout ByteReader, _ version: OFVersion) throws(OFError) -> OFFlowStats {
        let length = Int(try r.peekU16())
        guard length >= (version == .v1_0 ? 88 : 56), length <= r.remaining else {
            throw .badLength("ofp_flow_stats: length \(length) with \(r.remaining) bytes left")
        }
        var e = try r.sub(length, context: "ofp_flow_stats")
        try e.skip(2)
        var f = OFFlowStats(tableID: try e.u8())
        try e.skip(1)
        if version == .v1_0 {
            f.match = try OFMatch.decode10(&e)
            f.durationSec = try e.u32(); f.durationNsec = try e.u32()
            f.priority = try e.u16(); f.idleTimeout = try e.u16(); f.hardTimeout = try e.u16()
            try e.skip(6)
            f.cookie = try e.u64(); f.packetCount = try e.u64(); f.byteCount = try e.u64()
            let actions = try OFAction.decodeList(&e, .v1_0)
            f.instructions = actions.isEmpty ? [] : [.applyActions(actions)]
        } else {
            f.durationSec = try e.u32(); f.durationNsec = try e.u32()
            f.priority = try e.u16(); f.idleTimeout = try e.u16(); f.hardTimeout = try e.u16()
            f.flags = OFFlowModFlags(rawValue: try e.u16())
            try e.skip(4)
            f.cookie = try e.u64(); f.packetCount = try e.u64(); f.byteCount = try e.u64()
            f.match = try OFMatch.decodeOXM(&e)
            f.instructions = try OFInstruction.decodeList(&e)
        }
        return f
    }

    static func decode(_ r: inout ByteReader, _ version: OFVersion) throws(OFError) -> (OFStatsReply, UInt16) {
        let type = try r.u16(), flags = try r.u16()
        if version == .v1_3 { try r.skip(4) }
        let v10 = version == .v1_0
        switch (type, version) {
        case (0, _):
            let d = OFDescStats(mfrDesc: try r.string(256), hwDesc: try r.string(256), swDesc: try r.string(256),
                                serialNum: try r.string(32), dpDesc: try r.string(256))
            try r.expectEnd()
            return (.desc(d), flags)
        case (1, _):
            var flows: [OFFlowStats] = []
            while !r.isAtEnd { flows.append(try decodeFlow(&r, version)) }
            return (.flow(flows), flags)
        case (2, _):
            let a = OFAggregateStats(packetCount: try r.u64(), byteCount: try r.u64(), flowCount: try r.u32())
            try r.skip(4)
            try r.expectEnd()
            return (.aggregate(a), flags)
        case (3, _):
            var tables: [OFTableStats] = []
            while !r.isAtEnd {
                var t = OFTableStats(tableID: try r.u8())
                try r.skip(3)
                if v10 {
                    t.name = try r.string(32); t.wildcards = try r.u32(); t.maxEntries = try r.u32()
                }
                t.activeCount = try r.u32(); t.lookupCount = try r.u64(); t.matchedCount = try r.u64()
                tables.append(t)
            }
            return (.table(tables), flags)
        case (4, _):
            var ports: [OFPortStats] = []
            while !r.isAtEnd {
                let no = v10 ? OFPortNo(v10: try r.u16()) : OFPortNo(rawValue: try r.u32())
                try r.skip(v10 ? 6 : 4)
                var c: [UInt64] = []
                for _ in 0..<12 { c.append(try r.u64()) }
                var p = OFPortStats(portNo: no, rxPackets: c[0], txPackets: c[1], rxBytes: c[2], txBytes: c[3],
                                    rxDropped: c[4], txDropped: c[5], rxErrors: c[6], txErrors: c[7],
                                    rxFrameErr: c[8], rxOverErr: c[9], rxCrcErr: c[10], collisions: c[11])
                if !v10 { p.durationSec = try r.u32(); p.durationNsec = try r.u32() }
                ports.append(p)
            }
            return (.port(ports), flags)
        case (13, .v1_3):
            var ports: [OFPortDesc] = []
            while !r.isAtEnd { ports.append(try OFPortDesc.decode(&r, .v1_3)) }
            return (.portDesc(ports), flags)
        case (6, .v1_3):
            return (.group(try OFGroupStats.decodeList(&r)), flags)
        case (7, .v1_3):
            return (.groupDesc(try OFGroupDesc.decodeList(&r)), flags)
        case (8, .v1_3):
            let f = try OFGroupFeatures.decode(&r)
            try r.expectEnd()
            return (.groupFeatures(f), flags)
        case (9, .v1_3):
            return (.meter(try OFMeterStats.decodeList(&r)), flags)
        case (10, .v1_3):
            return (.meterConfig(try OFMeterConfig.decodeList(&r)), flags)
        case (11, .v1_3):
            let f = try OFMeterFeatures.decode(&r)
            try r.expectEnd()
            return (.meterFeatures(f), flags)
        default:
            return (.unknown(type: type, body: r.rest()), flags)
        }
    }
}
