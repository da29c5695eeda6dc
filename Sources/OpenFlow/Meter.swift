// OpenFlow 1.3 meters: METER_MOD, and the meter statistics, configuration and features
// multiparts.

/// One band of a meter: what happens to the packets above its rate.
public struct OFMeterBand: Hashable, Sendable {
    /// OFPMBT_DROP (1), OFPMBT_DSCP_REMARK (2), OFPMBT_EXPERIMENTER (0xffff).
    public var type: UInt16
    /// In kbit/s or packets/s, as the meter's flags say.
    public var rate: UInt32
    /// In kbit or packets; used with OFPMF_BURST.
    public var burstSize: UInt32
    /// DSCP remark: how much to raise the drop precedence by.
    public var precLevel: UInt8
    /// Experimenter bands: the experimenter id.
    public var experimenter: UInt32

    public static let drop: UInt16 = 1, dscpRemark: UInt16 = 2, experimenterType: UInt16 = 0xFFFF

    public init(type: UInt16, rate: UInt32, burstSize: UInt32 = 0, precLevel: UInt8 = 0, experimenter: UInt32 = 0) {
        self.type = type
        self.rate = rate
        self.burstSize = burstSize
        self.precLevel = precLevel
        self.experimenter = experimenter
    }

    func encode(_ w: inout ByteWriter) {
        w.u16(type); w.u16(16); w.u32(rate); w.u32(burstSize)
        switch type {
        case Self.dscpRemark: w.u8(precLevel); w.zeros(3)
        case Self.experimenterType: w.u32(experimenter)
        default: w.zeros(4)
        }
    }

    static func decodeList(_ r: inout ByteReader) throws(OFError) -> [OFMeterBand] {
        var out: [OFMeterBand] = []
        while !r.isAtEnd {
            var head = r
            _ = try head.u16()
            let len = try head.u16()
            guard len >= 16, len % 8 == 0, Int(len) <= r.remaining else { throw .badLength("ofp_meter_band of \(len) bytes") }
            var b = try r.sub(Int(len), context: "meter band")
            let type = try b.u16()
            try b.skip(2)
            var band = OFMeterBand(type: type, rate: try b.u32(), burstSize: try b.u32())
            if type == dscpRemark { band.precLevel = try b.u8() }
            if type == experimenterType { band.experimenter = try b.u32() }
            out.append(band)
        }
        return out
    }
}

/// OFPT_METER_MOD: add, modify or delete a meter.
public struct OFMeterMod: Hashable, Sendable {
    public static let add: UInt16 = 0, modify: UInt16 = 1, delete: UInt16 = 2
    /// OFPMF_*: rates in kbit/s, or in packets/s; bursts used; statistics kept.
    public static let kbps: UInt16 = 1, pktps: UInt16 = 2, burst: UInt16 = 4, stats: UInt16 = 8
    /// OFPM_MAX, the highest meter number; OFPM_ALL, every meter.
    public static let maxMeter: UInt32 = 0xFFFF_0000, allMeters: UInt32 = 0xFFFF_FFFF

    public var command: UInt16
    public var flags: UInt16
    public var meterID: UInt32
    public var bands: [OFMeterBand]

    public init(command: UInt16, flags: UInt16, meterID: UInt32, bands: [OFMeterBand] = []) {
        self.command = command
        self.flags = flags
        self.meterID = meterID
        self.bands = bands
    }

    func encode(_ w: inout ByteWriter) {
        w.u16(command); w.u16(flags); w.u32(meterID)
        for b in bands { b.encode(&w) }
    }

    static func decode(_ r: inout ByteReader) throws(OFError) -> OFMeterMod {
        let command = try r.u16(), flags = try r.u16(), id = try r.u32()
        return OFMeterMod(command: command, flags: flags, meterID: id, bands: try OFMeterBand.decodeList(&r))
    }
}

/// A meter's configuration (meter config multipart).
public struct OFMeterConfig: Hashable, Sendable {
    public var flags: UInt16
    public var meterID: UInt32
    public var bands: [OFMeterBand]

    public init(flags: UInt16, meterID: UInt32, bands: [OFMeterBand]) {
        self.flags = flags
        self.meterID = meterID
        self.bands = bands
    }

    func encode(_ w: inout ByteWriter) throws(OFError) {
        let start = w.count
        w.u16(0); w.u16(flags); w.u32(meterID)
        for b in bands { b.encode(&w) }
        try w.patchLength(at: start, from: start, context: "ofp_meter_config")
    }

    static func decodeList(_ r: inout ByteReader) throws(OFError) -> [OFMeterConfig] {
        var out: [OFMeterConfig] = []
        while !r.isAtEnd {
            var head = r
            let len = try head.u16()
            guard len >= 8, Int(len) <= r.remaining else { throw .badLength("ofp_meter_config of \(len) bytes") }
            var c = try r.sub(Int(len), context: "meter config")
            try c.skip(2)
            let flags = try c.u16(), id = try c.u32()
            out.append(OFMeterConfig(flags: flags, meterID: id, bands: try OFMeterBand.decodeList(&c)))
        }
        return out
    }
}

/// A meter's counters (meter statistics multipart).
public struct OFMeterStats: Hashable, Sendable {
    public var meterID: UInt32
    public var flowCount: UInt32
    public var packetInCount: UInt64
    public var byteInCount: UInt64
    public var durationSec: UInt32
    public var durationNsec: UInt32
    /// (packets, bytes) each band acted on.
    public var bands: [OFGroupStats.Counts]

    public init(meterID: UInt32, flowCount: UInt32, packetInCount: UInt64, byteInCount: UInt64, durationSec: UInt32,
                durationNsec: UInt32, bands: [OFGroupStats.Counts]) {
        self.meterID = meterID
        self.flowCount = flowCount
        self.packetInCount = packetInCount
        self.byteInCount = byteInCount
        self.durationSec = durationSec
        self.durationNsec = durationNsec
        self.bands = bands
    }

    func encode(_ w: inout ByteWriter) throws(OFError) {
        let start = w.count
        w.u32(meterID); w.u16(0); w.zeros(6)
        w.u32(flowCount); w.u64(packetInCount); w.u64(byteInCount); w.u32(durationSec); w.u32(durationNsec)
        for b in bands { w.u64(b.packets); w.u64(b.bytes) }
        try w.patchLength(at: start + 4, from: start, context: "ofp_meter_stats")
    }

    static func decodeList(_ r: inout ByteReader) throws(OFError) -> [OFMeterStats] {
        var out: [OFMeterStats] = []
        while !r.isAtEnd {
            var head = r
            _ = try head.u32()
            let len = try head.u16()
            guard len >= 40, (Int(len) - 40) % 16 == 0, Int(len) <= r.remaining else { throw .badLength("ofp_meter_stats of \(len) bytes") }
            var s = try r.sub(Int(len), context: "meter stats")
            let id = try s.u32()
            try s.skip(8)
            var m = OFMeterStats(meterID: id, flowCount: try s.u32(), packetInCount: try s.u64(), byteInCount: try s.u64(),
                                 durationSec: try s.u32(), durationNsec: try s.u32(), bands: [])
            while !s.isAtEnd { m.bands.append(.init(packets: try s.u64(), bytes: try s.u64())) }
            out.append(m)
        }
        return out
    }
}

/// What meters a switch supports (meter features multipart).
public struct OFMeterFeatures: Hashable, Sendable {
    public var maxMeter: UInt32
    /// Bit i set: band type i supported.
    public var bandTypes: UInt32
    /// OFPMF_* flags supported.
    public var capabilities: UInt32
    public var maxBands: UInt8
    public var maxColor: UInt8

    public init(maxMeter: UInt32, bandTypes: UInt32, capabilities: UInt32, maxBands: UInt8, maxColor: UInt8) {
        self.maxMeter = maxMeter
        self.bandTypes = bandTypes
        self.capabilities = capabilities
        self.maxBands = maxBands
        self.maxColor = maxColor
    }

    func encode(_ w: inout ByteWriter) {
        w.u32(maxMeter); w.u32(bandTypes); w.u32(capabilities); w.u8(maxBands); w.u8(maxColor); w.zeros(2)
    }

    static func decode(_ r: inout ByteReader) throws(OFError) -> OFMeterFeatures {
        let f = OFMeterFeatures(maxMeter: try r.u32(), bandTypes: try r.u32(), capabilities: try r.u32(),
                                maxBands: try r.u8(), maxColor: try r.u8())
        try r.skip(2)
        return f
    }
}
