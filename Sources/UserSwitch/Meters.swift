import OpenFlow

/// One meter of a user switch: its bands, each a token bucket, and its counters.
struct MeterEntry: Sendable {
    var flags: UInt16
    var bands: [OFMeterBand]
    var installed: UInt64
    var packets: UInt64 = 0
    var bytes: UInt64 = 0
    var bandPackets: [UInt64]
    var bandBytes: [UInt64]
    /// Tokens per band: bits for a kbit/s meter, thousandths of a packet for packets/s.
    var tokens: [Double]
    var lastRefill: UInt64

    init(flags: UInt16, bands: [OFMeterBand], now: UInt64) {
        self.flags = flags
        self.bands = bands
        installed = now
        bandPackets = Array(repeating: 0, count: bands.count)
        bandBytes = Array(repeating: 0, count: bands.count)
        lastRefill = now
        // A new meter starts with 10 ms of its rate, not a whole bucket: a second's worth
        // up front would let the first second of a flood through above the rate.
        tokens = bands.map { min(Self.capacity($0, flags: flags), Double($0.rate) * 10) }
    }

    var perPacket: Bool { flags & OFMeterMod.pktps != 0 }

    /// A band's bucket: its burst with OFPMF_BURST, else one second at its rate.
    static func capacity(_ b: OFMeterBand, flags: UInt16) -> Double {
        let size = flags & OFMeterMod.burst != 0 && b.burstSize > 0 ? Double(b.burstSize) : Double(b.rate)
        return size * 1000  // kbit to bit, packets to thousandths
    }

    /// What the meter does to one packet of `bytes` at `now`: nil to let it pass, or the
    /// band that applies (the one with the highest rate among those the packet exceeds).
    mutating func measure(bytes: Int, now: UInt64) -> Int? {
        // Packets of one batch share a time, and batches of different ports can come a
        // little out of order: time never runs backwards here (a wrapped difference would
        // fill every bucket).
        let elapsed = now > lastRefill ? Double(now - lastRefill) : 0
        lastRefill = max(lastRefill, now)
        packets &+= 1
        self.bytes &+= UInt64(bytes)
        let cost = perPacket ? 1000.0 : Double(bytes * 8)
        var applies: Int?
        for i in bands.indices {
            // rate kbit/s = rate bits per ms = rate / 1e6 bits per ns; packets/s likewise in thousandths.
            tokens[i] = min(Self.capacity(bands[i], flags: flags), tokens[i] + elapsed * Double(bands[i].rate) / 1e6)
            if tokens[i] >= cost {
                tokens[i] -= cost
            } else if applies.map({ bands[$0].rate < bands[i].rate }) ?? true {
                applies = i
            }
        }
        if let i = applies {
            bandPackets[i] &+= 1
            bandBytes[i] &+= UInt64(bytes)
        }
        return applies
    }
}

/// Why a METER_MOD was refused: the OFPMMFC_* code of an OFPET_METER_MOD_FAILED error.
enum MeterModFailure: Error, Equatable {
    case meterExists, invalidMeter, unknownMeter, badCommand, badFlags, badRate, badBurst, badBand

    var code: UInt16 {
        switch self {
        case .meterExists: 1
        case .invalidMeter: 2
        case .unknownMeter: 3
        case .badCommand: 4
        case .badFlags: 5
        case .badRate: 6
        case .badBurst: 7
        case .badBand: 8
        }
    }

    static let errorType: UInt16 = 12  // OFPET_METER_MOD_FAILED
}

extension FlowTables {
    /// Applies a METER_MOD. Deleting a meter deletes the flow entries that use it, which are
    /// returned (for FLOW_REMOVED).
    mutating func apply(_ m: OFMeterMod, now: UInt64) throws(MeterModFailure) -> [RemovedFlow] {
        switch m.command {
        case OFMeterMod.add, OFMeterMod.modify:
            guard m.meterID >= 1, m.meterID <= OFMeterMod.maxMeter else { throw .invalidMeter }
            if m.command == OFMeterMod.add, meters[m.meterID] != nil { throw .meterExists }
            if m.command == OFMeterMod.modify, meters[m.meterID] == nil { throw .unknownMeter }
            let known = OFMeterMod.kbps | OFMeterMod.pktps | OFMeterMod.burst | OFMeterMod.stats
            guard m.flags & ~known == 0, m.flags & (OFMeterMod.kbps | OFMeterMod.pktps) != (OFMeterMod.kbps | OFMeterMod.pktps) else {
                throw .badFlags
            }
            for b in m.bands {
                guard b.type == OFMeterBand.drop || b.type == OFMeterBand.dscpRemark else { throw .badBand }
                guard b.rate > 0 else { throw .badRate }
                if m.flags & OFMeterMod.burst == 0 && b.burstSize != 0 { throw .badBurst }
            }
            meters[m.meterID] = MeterEntry(flags: m.flags, bands: m.bands, now: now)
            bump()
            return []
        case OFMeterMod.delete:
            let ids: [UInt32] = m.meterID == OFMeterMod.allMeters ? Array(meters.keys) : [m.meterID]
            var removed: [RemovedFlow] = []
            for id in ids where meters.removeValue(forKey: id) != nil {
                removed += removeEntries { $0.instructions.contains(.meter(id)) }
            }
            bump()
            return removed.map { RemovedFlow(entry: $0.entry, table: $0.table, reason: 4) }  // OFPRR_METER_DELETE
        default:
            throw .badCommand
        }
    }

    /// Flow entries that use meter `id`.
    func meterReferences(_ id: UInt32) -> Int { entryCount { $0.instructions.contains(.meter(id)) } }

    /// Runs a packet through meter `id`: nil to let it pass, or the band that applies.
    mutating func measure(meter id: UInt32, bytes: Int, now: UInt64) -> OFMeterBand? {
        guard var m = meters[id] else { return nil }
        let band = m.measure(bytes: bytes, now: now)
        meters[id] = m
        return band.map { m.bands[$0] }
    }
}

extension FrameEdit {
    /// DSCP remark: raises the drop precedence of an assured-forwarding DSCP (AFxy, x the
    /// class 1-4, y the drop precedence 1-3) by `level`, to at most 3; other code points
    /// are left as they are.
    static func remarkDSCP(_ dscp: UInt8, by level: UInt8) -> UInt8 {
        let cls = dscp >> 3, drop = (dscp >> 1) & 3
        guard (1...4).contains(cls), dscp & 1 == 0, drop >= 1 else { return dscp }
        return cls << 3 | UInt8(min(Int(drop) + Int(level), 3)) << 1
    }
}
