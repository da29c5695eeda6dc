import Foundation
import Glibc
import OpenFlow

/// The OpenFlow side of the datapath: forwarding by the flow tables, and the messages of the
/// controller. Everything here runs on the datapath thread.
extension UserDatapath {
    static let maxCacheEntries = 65_536

    // MARK: - Forwarding

    func forwardByFlows(_ frame: inout FrameBuffer, switch sw: Switch, from inPort: Int, now: UInt64, delay: UInt64) {
        runPipeline(&frame, switch: sw, inPort: inPort, number: OFPortNo(rawValue: UInt32(ports[inPort].number)), now: now, delay: delay)
    }

    /// Runs a frame through the flow tables (the exact-match cache first), counts it on the
    /// entries it hit, and carries out the decision. `number` is the in_port the tables see.
    private func runPipeline(_ frame: inout FrameBuffer, switch sw: Switch, inPort: Int, number: OFPortNo, now: UInt64, delay: UInt64) {
        guard let packet = ParsedPacket(bytes: UnsafeRawBufferPointer(frame.frame), inPort: number) else { return }
        if sw.cacheGeneration != sw.tables.generation {
            sw.cache.removeAll(keepingCapacity: true)
            sw.cacheGeneration = sw.tables.generation
        }
        let decision: Decision
        if let cached = sw.cache[packet] {
            decision = cached
            for v in cached.visits { sw.tables.countCached(table: v.table, matched: v.index >= 0) }
        } else {
            let original = frame
            let isLive: (OFPortNo) -> Bool = { port in sw.portIndex[port.rawValue].map { self.ports[$0].isUp } ?? false }
            let reparse: ([DatapathOp]) -> ParsedPacket? = { ops in
                // A copy of the frame with the edits so far, parsed again.
                let copy = UnsafeMutableRawPointer.allocate(byteCount: original.capacity, alignment: 16)
                defer { copy.deallocate() }
                copy.copyMemory(from: original.base, byteCount: original.length)
                var b = FrameBuffer(base: copy, length: original.length, capacity: original.capacity)
                for op in ops { FrameEdit.apply(op, to: &b) }
                return ParsedPacket(bytes: UnsafeRawBufferPointer(b.frame), inPort: number)
            }
            decision = sw.tables.evaluate(packet, version: sw.version ?? sw.versions.max()!, missSendLen: sw.config.missSendLen,
                                          reparse: reparse, isLive: isLive)
            if decision.cacheable {
                if sw.cache.count >= Self.maxCacheEntries { sw.cache.removeAll(keepingCapacity: true) }
                sw.cache[packet] = decision
            }
        }
        for v in decision.visits where v.index >= 0 {
            sw.tables.hit(table: v.table, index: v.index, bytes: frame.frameLength, now: now)
        }
        for h in decision.groupHits { sw.tables.hitGroup(h.group, bucket: h.bucket, bytes: frame.frameLength) }
        execute(decision.ops, on: &frame, switch: sw, inPort: inPort, now: now, delay: delay)
        // One output, nothing else, decided by in_port and addresses alone: the kernel's.
        if fastPath != nil, decision.cacheable, decision.groupHits.isEmpty, decision.ops.count == 1,
           case .output(let port) = decision.ops[0], let out = sw.portIndex[port.rawValue], out != inPort {
            if sw.macOnlyGeneration != sw.tables.generation {
                sw.macOnly = sw.tables.matchesOnlyPortsAndAddresses
                sw.macOnlyGeneration = sw.tables.generation
            }
            if sw.macOnly { offerToKernel(frame, switch: sw, from: inPort, to: out, visits: decision.visits, delay: delay) }
        }
    }

    /// Carries out a decision's ops on a frame, in order. `inPort` is -1 for a frame the
    /// controller sent (PACKET_OUT with in_port CONTROLLER).
    func execute(_ ops: [DatapathOp], on frame: inout FrameBuffer, switch sw: Switch, inPort: Int, now: UInt64, delay: UInt64) {
        for op in ops {
            switch op {
            case .output(let port):
                switch port {
                case .flood, .all:
                    for p in sw.ports where p != inPort { output(frame, to: p, now: now, extraDelay: delay) }
                case .inPort:
                    if inPort >= 0 { output(frame, to: inPort, now: now, extraDelay: delay) }
                case .normal:
                    learnAndForward(frame, switch: sw, from: inPort, now: now, delay: delay)
                default:
                    if let p = sw.portIndex[port.rawValue], p != inPort { output(frame, to: p, now: now, extraDelay: delay) }
                }
            case .controller(_, let reason, let table, let cookie):
                // The frame is about to change (its checksum completed): queued copies go first.
                flushSends()
                packetIn(frame, switch: sw, inPort: inPort, reason: reason, table: table, cookie: cookie)
            case .meter(let id):
                guard let band = sw.tables.measure(meter: id, bytes: frame.frameLength, now: now) else { continue }
                if band.type == OFMeterBand.drop { return }
                flushSends()
                if let p = ParsedPacket(bytes: UnsafeRawBufferPointer(frame.frame), inPort: 0), let dscp = p.ipDSCP {
                    FrameEdit.apply(.setField(.ipDSCP(FrameEdit.remarkDSCP(dscp, by: band.precLevel))), to: &frame)
                }
            case .clone(let nested):
                // A group bucket: its edits on a copy, sent before the copy goes.
                flushSends()
                let copy = UnsafeMutableRawPointer.allocate(byteCount: frame.capacity, alignment: 16)
                copy.copyMemory(from: frame.base, byteCount: frame.length)
                var c = FrameBuffer(base: copy, length: frame.length, capacity: frame.capacity)
                execute(nested, on: &c, switch: sw, inPort: inPort, now: now, delay: delay)
                flushSends()
                copy.deallocate()
            default:
                flushSends()
                FrameEdit.apply(op, to: &frame)
            }
        }
    }

    /// Sends a frame to the controller. The switch keeps no buffers, so the whole frame goes
    /// (as the specification asks when there is no buffer), with any checksum the sender
    /// left to offload completed first. A controller that made itself SLAVE gets none
    /// (OpenFlow 1.3's default asynchronous configuration for a slave).
    private func packetIn(_ frame: FrameBuffer, switch sw: Switch, inPort: Int, reason: UInt8, table: UInt8, cookie: UInt64) {
        guard let v = sw.version, let connection = sw.connection, sw.role != OFRole.slave else { return }
        frame.completeChecksum()
        let room = 65_535 - 128
        let data = [UInt8](UnsafeRawBufferPointer(start: frame.base + FrameBuffer.vnet, count: min(frame.frameLength, room)))
        let port = inPort >= 0 ? OFPortNo(rawValue: UInt32(ports[inPort].number)) : .controller
        let message = OFMessage.packetIn(OFPacketIn(bufferID: OFBufferID.noBuffer, totalLen: UInt16(clamping: frame.frameLength),
                                                    reason: reason, tableID: table, cookie: cookie,
                                                    match: OFMatch(inPort: port), data: data))
        guard let bytes = try? message.encode(version: v, xid: 0) else { return }
        sw.packetIns &+= 1
        connection.send(bytes)
    }

    // MARK: - Connection state

    func connectionChanged(_ sw: Switch, version: OFVersion?) {
        sw.version = version
        sw.ready = false
        // A new connection is a controller that has not chosen a role yet.
        sw.role = OFRole.equal
        if version != nil { sw.everConnected = true }
        sw.cacheGeneration = .max
        // Who decides changed: the kernel's decisions go.
        sw.tables.bump()
    }

    // MARK: - Controller messages

    func handle(_ frame: OFFrame, version v: OFVersion, switch sw: Switch) {
        guard sw.version == v, sw.running else { return }
        let xid = frame.header.xid
        func reply(_ m: OFMessage) {
            if let bytes = try? m.encode(version: v, xid: xid) { sw.connection?.send(bytes) }
        }
        func fail(_ type: UInt16, _ code: UInt16) {
            reply(.error(OFErrorMessage(type: type, code: code, replyingTo: frame.bytes)))
        }
        let message: OFMessage
        do {
            message = try frame.decode()
        } catch {
            reply(.error(OFErrorMessage(decoding: error, request: frame.bytes, version: v)))
            return
        }
        switch message {
        case .featuresRequest:
            let v10 = v == .v1_0
            reply(.featuresReply(OFFeatures(datapathID: sw.dpid, nBuffers: 0, nTables: v10 ? 1 : UInt8(sw.tables.count),
                                            capabilities: OFFeatures.flowStats | OFFeatures.tableStats | OFFeatures.portStats,
                                            actions: v10 ? 0x7FF : 0, ports: v10 ? portDescs(sw) : [])))
            sw.ready = true
        case .getConfigRequest:
            reply(.getConfigReply(sw.config))
        case .setConfig(let c):
            sw.config = c
        case .barrierRequest:
            // Messages are handled in order, so everything before the barrier is done.
            reply(.barrierReply)
        case .roleRequest(let r):
            if r.role != OFRole.noChange {
                guard [OFRole.equal, OFRole.master, OFRole.slave].contains(r.role) else { return fail(11, 1) }  // OFPRRFC_BAD_ROLE
                sw.role = r.role
                sw.generationID = r.generationID
            }
            reply(.roleReply(OFRole(role: sw.role, generationID: sw.generationID)))
        case .flowMod(let mod):
            if sw.role == OFRole.slave { return fail(OFErrorType.badRequest, 10) }  // OFPBRC_IS_SLAVE
            flowMod(mod, switch: sw, version: v, fail: fail)
        case .meterMod(let mod):
            if sw.role == OFRole.slave { return fail(OFErrorType.badRequest, 10) }
            do {
                let removed = try sw.tables.apply(mod, now: Self.nowNanos())
                for r in removed where r.entry.flags.contains(.sendFlowRemoved) { flowRemoved(r, switch: sw) }
            } catch {
                fail(MeterModFailure.errorType, error.code)
            }
        case .groupMod(let mod):
            if sw.role == OFRole.slave { return fail(OFErrorType.badRequest, 10) }
            for b in mod.buckets { if let bad = badPort(b.actions, sw, groupsOf: mod) { return fail(OFErrorType.badAction, bad) } }
            do {
                let removed = try sw.tables.apply(mod, now: Self.nowNanos())
                for r in removed where r.entry.flags.contains(.sendFlowRemoved) { flowRemoved(r, switch: sw) }
            } catch {
                fail(GroupModFailure.errorType, error.code)
            }
        case .packetOut(let po):
            if sw.role == OFRole.slave { return fail(OFErrorType.badRequest, 10) }
            guard po.bufferID == OFBufferID.noBuffer else { return fail(OFErrorType.badRequest, OFBadRequestCode.bufferUnknown) }
            packetOut(po, switch: sw)
        case .statsRequest(let request, _):
            stats(request, switch: sw, version: v, reply: reply, fail: fail)
        case .hello, .echoReply, .echoRequest, .error:
            break
        case .unknown, .featuresReply, .getConfigReply, .packetIn, .flowRemoved, .portStatus, .barrierReply, .roleReply, .statsReply:
            fail(OFErrorType.badRequest, OFBadRequestCode.badType)
        }
    }

    private func flowMod(_ mod: OFFlowMod, switch sw: Switch, version v: OFVersion, fail: (UInt16, UInt16) -> Void) {
        // Every output must name a port of this switch or a reserved port.
        for case .applyActions(let a) in mod.instructions { if let bad = badPort(a, sw) { return fail(OFErrorType.badAction, bad) } }
        for case .writeActions(let a) in mod.instructions { if let bad = badPort(a, sw) { return fail(OFErrorType.badAction, bad) } }
        // A meter must exist (OFPMMFC_UNKNOWN_METER).
        for case .meter(let m) in mod.instructions where sw.tables.meters[m] == nil {
            return fail(MeterModFailure.errorType, MeterModFailure.unknownMeter.code)
        }
        if v == .v1_3, mod.command == .add || mod.command == .modify || mod.command == .modifyStrict,
           case let gotos = mod.instructions.compactMap({ if case .gotoTable(let t) = $0 { t } else { nil } }),
           gotos.contains(where: { Int($0) <= Int(mod.tableID) || Int($0) >= sw.tables.count }) {
            return fail(3, 2)  // OFPBIC_BAD_TABLE_ID
        }
        do {
            let removed = try sw.tables.apply(mod, now: Self.nowNanos(), addWhenNoneMatch: v == .v1_0)
            for r in removed where r.entry.flags.contains(.sendFlowRemoved) { flowRemoved(r, switch: sw) }
        } catch {
            let type = OFErrorType.flowModFailed(v)
            switch error {
            case .badTableID: fail(type, v == .v1_3 ? 9 : 0)
            case .overlap: fail(type, v == .v1_3 ? 2 : 1)
            case .tableFull: fail(type, v == .v1_3 ? 1 : 0)
            }
        }
        if mod.bufferID != OFBufferID.noBuffer { fail(OFErrorType.badRequest, OFBadRequestCode.bufferUnknown) }
    }

    /// OFPBAC_BAD_OUT_PORT (4) when an output names no port of the switch;
    /// OFPBAC_BAD_OUT_GROUP (9) for a group the switch does not have (a group's own
    /// buckets are checked by the group table, which knows about chains and loops).
    private func badPort(_ actions: [OFAction], _ sw: Switch, groupsOf mod: OFGroupMod? = nil) -> UInt16? {
        for case .output(let p, _) in actions where !p.isReserved && p != .max && sw.portIndex[p.rawValue] == nil {
            return 4
        }
        if mod == nil { for case .group(let g) in actions where sw.tables.groups[g] == nil { return 9 } }
        return nil
    }

    private func packetOut(_ po: OFPacketOut, switch sw: Switch) {
        guard po.data.count >= 14, po.data.count <= Self.bufferSize - FrameBuffer.vnet else { return }
        memset(scratch, 0, FrameBuffer.vnet)
        po.data.withUnsafeBytes { (scratch + FrameBuffer.vnet).copyMemory(from: $0.baseAddress!, byteCount: po.data.count) }
        var frame = FrameBuffer(base: scratch, length: po.data.count + FrameBuffer.vnet, capacity: Self.bufferSize + Self.headroom)
        let inPort = sw.portIndex[po.inPort.rawValue] ?? -1
        let now = Self.nowNanos()
        var ops: [DatapathOp] = []
        for a in po.actions {
            switch a {
            case .output(.table, _):
                // Through the flow tables, as if it had arrived on in_port.
                execute(ops, on: &frame, switch: sw, inPort: inPort, now: now, delay: 0)
                ops = []
                runPipeline(&frame, switch: sw, inPort: inPort, number: po.inPort, now: now, delay: 0)
            case .output(.controller, let maxLen):
                ops.append(.controller(maxLen: maxLen, reason: OFPacketIn.reasonAction, table: 0xFF, cookie: .max))
            case .output(let port, _): ops.append(.output(port))
            default: if let op = DatapathOp(edit: a) { ops.append(op) }
            }
        }
        execute(ops, on: &frame, switch: sw, inPort: inPort, now: now, delay: 0)
        // The scratch buffer is the next PACKET_OUT's: send what points into it now.
        flushSends()
    }

    private func flowRemoved(_ r: RemovedFlow, switch sw: Switch) {
        guard let v = sw.version, sw.role != OFRole.slave else { return }
        let age = Self.nowNanos() &- r.entry.installed
        let m = OFMessage.flowRemoved(OFFlowRemoved(cookie: r.entry.cookie, priority: r.entry.priority, reason: r.reason,
                                                    tableID: r.table, durationSec: UInt32(age / 1_000_000_000),
                                                    durationNsec: UInt32(age % 1_000_000_000), idleTimeout: r.entry.idleTimeout,
                                                    hardTimeout: r.entry.hardTimeout, packetCount: r.entry.packets,
                                                    byteCount: r.entry.bytes, match: r.entry.match))
        if let bytes = try? m.encode(version: v, xid: 0) { sw.connection?.send(bytes) }
    }

    func expireFlows(_ sw: Switch) {
        // Idle timeouts count what the kernel forwarded too.
        if fastPath?.hasEntries(ofSwitch: sw.index) == true { foldFastPath() }
        for r in sw.tables.expire(now: Self.nowNanos()) where r.entry.flags.contains(.sendFlowRemoved) { flowRemoved(r, switch: sw) }
    }

    /// Tells the controller a port went up or down (PORT_STATUS).
    func portChanged(_ i: Int) {
        let sw = switches[ports[i].switchIndex]
        guard let v = sw.version, let desc = portDescs(sw).first(where: { $0.portNo.rawValue == UInt32(ports[i].number) }) else { return }
        if let bytes = try? OFMessage.portStatus(OFPortStatus(reason: OFPortStatus.reasonModify, desc: desc)).encode(version: v, xid: 0) {
            sw.connection?.send(bytes)
        }
    }

    // MARK: - Statistics

    func portDescs(_ sw: Switch) -> [OFPortDesc] {
        sw.ports.map { i in
            let p = ports[i]
            let mac = 0x0200_0000_0000 | (sw.dpid & 0xFFFF) << 16 | UInt64(p.number & 0xFFFF)
            return OFPortDesc(portNo: OFPortNo(rawValue: UInt32(p.number)), hwAddr: OFMACAddress(rawValue: mac), name: p.name,
                              config: p.isUp ? 0 : OFPortDesc.configPortDown, state: p.isUp ? 0 : OFPortDesc.stateLinkDown,
                              curr: OFPortDesc.feature10GbFD | OFPortDesc.featureCopper,
                              supported: OFPortDesc.feature10GbFD | OFPortDesc.featureCopper,
                              currSpeed: 10_000_000, maxSpeed: 10_000_000)
        }
    }

    func flowStats(_ sw: Switch, table: UInt8 = 0xFF, match: OFMatch = OFMatch(), outPort: OFPortNo = .any,
                   cookie: UInt64 = 0, cookieMask: UInt64 = 0) -> [OFFlowStats] {
        let now = Self.nowNanos()
        return sw.tables.select(table: table, match: match, outPort: outPort, cookie: cookie, cookieMask: cookieMask).map { t, i in
            let e = sw.tables.entry(table: t, index: i)
            let age = now &- e.installed
            return OFFlowStats(tableID: UInt8(t), durationSec: UInt32(age / 1_000_000_000), durationNsec: UInt32(age % 1_000_000_000),
                               priority: e.priority, idleTimeout: e.idleTimeout, hardTimeout: e.hardTimeout, flags: e.flags,
                               cookie: e.cookie, packetCount: e.packets, byteCount: e.bytes, match: e.match, instructions: e.instructions)
        }
    }

    func portStats(_ sw: Switch, port: OFPortNo = .any) -> [OFPortStats] {
        let age = Self.nowNanos() &- sw.started
        return sw.ports.filter { port == .any || UInt32(ports[$0].number) == port.rawValue }.map { i in
            let c = ports[i].counters
            return OFPortStats(portNo: OFPortNo(rawValue: UInt32(ports[i].number)), rxPackets: c.rxPackets, txPackets: c.txPackets,
                               rxBytes: c.rxBytes, txBytes: c.txBytes, rxDropped: c.rxDropped, txDropped: c.txDropped,
                               txErrors: c.txErrors, durationSec: UInt32(age / 1_000_000_000), durationNsec: UInt32(age % 1_000_000_000))
        }
    }

    private func stats(_ request: OFStatsRequest, switch sw: Switch, version v: OFVersion,
                       reply: (OFMessage) -> Void, fail: (UInt16, UInt16) -> Void) {
        foldFastPath()
        switch request {
        case .desc:
            reply(.statsReply(.desc(OFDescStats(mfrDesc: "Swiftnet", hwDesc: "swiftnet userspace switch", swDesc: "swiftnet",
                                                serialNum: "none", dpDesc: sw.name))))
        case .flow(let r):
            let all = flowStats(sw, table: r.tableID, match: r.match, outPort: r.outPort, cookie: r.cookie, cookieMask: r.cookieMask)
            // Replies stay well under 64 KB each; all but the last say "more".
            var chunks = stride(from: 0, to: all.count, by: 100).map { Array(all[$0..<min($0 + 100, all.count)]) }
            if chunks.isEmpty { chunks = [[]] }
            for (n, c) in chunks.enumerated() { reply(.statsReply(.flow(c), flags: n < chunks.count - 1 ? 1 : 0)) }
        case .aggregate(let r):
            let all = flowStats(sw, table: r.tableID, match: r.match, outPort: r.outPort, cookie: r.cookie, cookieMask: r.cookieMask)
            reply(.statsReply(.aggregate(OFAggregateStats(packetCount: all.reduce(0) { $0 &+ $1.packetCount },
                                                          byteCount: all.reduce(0) { $0 &+ $1.byteCount },
                                                          flowCount: UInt32(all.count)))))
        case .table:
            let count = v == .v1_0 ? 1 : sw.tables.count
            reply(.statsReply(.table((0..<count).map { t in
                OFTableStats(tableID: UInt8(t), name: "table\(t)", wildcards: 0x3FFFFF, maxEntries: UInt32(FlowTables.maxEntriesPerTable),
                             activeCount: UInt32(sw.tables.tables[t].count), lookupCount: sw.tables.lookups[t],
                             matchedCount: sw.tables.matched[t])
            })))
        case .port(let p):
            reply(.statsReply(.port(portStats(sw, port: p))))
        case .portDesc:
            reply(.statsReply(.portDesc(portDescs(sw))))
        case .group(let id):
            let now = Self.nowNanos()
            let ids = id == OFGroupMod.allGroups ? sw.tables.groups.keys.sorted() : [id]
            reply(.statsReply(.group(ids.compactMap { id in
                guard let g = sw.tables.groups[id] else { return nil }
                let age = now &- g.installed
                return OFGroupStats(groupID: id, refCount: UInt32(sw.tables.references(to: id)), packetCount: g.packets,
                                    byteCount: g.bytes, durationSec: UInt32(age / 1_000_000_000), durationNsec: UInt32(age % 1_000_000_000),
                                    buckets: zip(g.bucketPackets, g.bucketBytes).map { OFGroupStats.Counts(packets: $0, bytes: $1) })
            })))
        case .groupDesc:
            reply(.statsReply(.groupDesc(sw.tables.groups.keys.sorted().map { id in
                let g = sw.tables.groups[id]!
                return OFGroupDesc(type: g.type, groupID: id, buckets: g.buckets)
            })))
        case .meter(let id), .meterConfig(let id):
            let now = Self.nowNanos()
            let ids = id == OFMeterMod.allMeters ? sw.tables.meters.keys.sorted() : [id]
            if case .meterConfig = request {
                reply(.statsReply(.meterConfig(ids.compactMap { id in
                    sw.tables.meters[id].map { OFMeterConfig(flags: $0.flags, meterID: id, bands: $0.bands) }
                })))
            } else {
                reply(.statsReply(.meter(ids.compactMap { id in
                    guard let m = sw.tables.meters[id] else { return nil }
                    let age = now &- m.installed
                    return OFMeterStats(meterID: id, flowCount: UInt32(sw.tables.meterReferences(id)), packetInCount: m.packets,
                                        byteInCount: m.bytes, durationSec: UInt32(age / 1_000_000_000), durationNsec: UInt32(age % 1_000_000_000),
                                        bands: zip(m.bandPackets, m.bandBytes).map { OFGroupStats.Counts(packets: $0, bytes: $1) })
                })))
            }
        case .meterFeatures:
            reply(.statsReply(.meterFeatures(OFMeterFeatures(maxMeter: 65_536, bandTypes: (1 << 1) | (1 << 2),
                                                             capabilities: UInt32(OFMeterMod.kbps | OFMeterMod.pktps | OFMeterMod.burst | OFMeterMod.stats),
                                                             maxBands: 16, maxColor: 0))))
        case .groupFeatures:
            // All four types; weights, liveness and chaining; every 1.3 action in every type.
            let actions: UInt32 = (1 << 0) | (1 << 11) | (1 << 12) | (1 << 15) | (1 << 16) | (1 << 17) | (1 << 18) | (1 << 19)
                | (1 << 20) | (1 << 21) | (1 << 22) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26) | (1 << 27)
            reply(.statsReply(.groupFeatures(OFGroupFeatures(types: 0b1111, capabilities: 0b0111,
                                                             maxGroups: Array(repeating: 65_536, count: 4),
                                                             actions: Array(repeating: actions, count: 4)))))
        case .unknown:
            fail(OFErrorType.badRequest, OFBadRequestCode.badMultipart)
        }
    }
}
