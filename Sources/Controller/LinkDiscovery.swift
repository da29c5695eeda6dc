import Foundation
import NIOCore
import OpenFlow

/// A link between two switch ports, as LLDP found it (one direction).
public struct SwitchLink: Hashable, Sendable, Comparable {
    public var src: UInt64
    public var srcPort: UInt32
    public var dst: UInt64
    public var dstPort: UInt32

    public init(src: UInt64, srcPort: UInt32, dst: UInt64, dstPort: UInt32) {
        self.src = src
        self.srcPort = srcPort
        self.dst = dst
        self.dstPort = dstPort
    }

    public var reversed: SwitchLink { SwitchLink(src: dst, srcPort: dstPort, dst: src, dstPort: srcPort) }

    public static func < (a: SwitchLink, b: SwitchLink) -> Bool {
        (a.src, a.srcPort, a.dst, a.dstPort) < (b.src, b.srcPort, b.dst, b.dstPort)
    }
}

/// What modules hear from link discovery, on the core's loop.
public protocol LinkListener: AnyObject {
    /// The set of links changed (a link came, timed out, or went with its port or switch):
    /// the direct links and the external ones (across a segment that is not OpenFlow).
    func linksChanged(_ links: Set<SwitchLink>)
}

/// Link discovery (Floodlight's LinkDiscoveryManager): an LLDP frame out of every port of
/// every switch, to 01:80:c2:00:00:0e, carrying the switch's datapath id, the port and
/// this controller's id; an LLDP frame that comes back in a packet-in on another switch
/// is a link. Links not seen again for `timeout` go, as do the links of a port that goes
/// down and of a switch that leaves. LLDP from another controller is counted and ignored.
///
/// Every port also sends a BDDP frame (the same TLVs, broadcast, ethertype 0x8942), as
/// Floodlight does: a bridge that is not OpenFlow (a Linux bridge, a hub) drops LLDP's
/// link-local group address but floods a broadcast, so a BDDP that arrives where no LLDP
/// does is a link across such a segment: an external link. Its ports may have hosts.
public final class LinkDiscovery: ControllerModule, OpenFlowListener, @unchecked Sendable {
    public let name = "link-discovery"
    public let provides: [ServiceName] = ["links"]
    public let needs: [ServiceName] = ["openflow"]

    public static let lldpDestination: UInt64 = 0x0180_C200_000E
    public static let lldpType: UInt16 = 0x88CC
    public static let bddpType: UInt16 = 0x8942
    /// The organisation-specific TLVs' OUI (the one Floodlight used for its dpid TLV).
    static let oui: [UInt8] = [0x00, 0x26, 0xE1]

    public let interval: TimeAmount
    public let timeout: TimeAmount
    /// This controller's id, in every LLDP frame it sends.
    public let controllerID: UInt64

    private var core: OpenFlowCore?
    private var counters: DebugCounters?
    private var listeners: [LinkListener] = []
    private var task: RepeatedTask?
    // On the core's loop.
    private var seen: [SwitchLink: NIODeadline] = [:]
    private var seenBroadcast: [SwitchLink: NIODeadline] = [:]
    /// The direct links now (LLDP), one entry per direction.
    public private(set) var links: Set<SwitchLink> = []
    /// The links across segments that are not OpenFlow (BDDP seen, no LLDP on either
    /// end), one entry per direction.
    public private(set) var externalLinks: Set<SwitchLink> = []
    /// When the links or the switches last changed.
    public private(set) var lastChange = NIODeadline.now()
    /// Each direct link's latency (the median of its last samples): an LLDP frame's time
    /// from this controller out of one switch and back in from the other, less half of
    /// each switch's control-channel round trip (ECHO).
    public private(set) var latency: [SwitchLink: TimeAmount] = [:]
    private var samples: [SwitchLink: [Int64]] = [:]
    static let samplesKept = 5
    /// Called (on the loop) when a link's latency moves by more than a quarter (and at
    /// least 1 ms): latency-weighted paths may change.
    private var latencyListeners: [() -> Void] = []

    public init(interval: TimeAmount = .seconds(2), timeout: TimeAmount = .seconds(7),
                controllerID: UInt64 = UInt64.random(in: 1...UInt64.max)) {
        self.interval = interval
        self.timeout = timeout
        self.controllerID = controllerID
    }

    public func addListener(_ l: LinkListener) { listeners.append(l) }

    /// `body` runs (on the loop) when a link's latency changes markedly.
    public func onLatencyChange(_ body: @escaping () -> Void) { latencyListeners.append(body) }

    public func initialise(_ context: ModuleContext) throws {
        let core = try context.require("openflow", as: OpenFlowCore.self, by: name)
        self.core = core
        counters = core.counters
        core.addListener(self)
    }

    public func start(_ context: ModuleContext) throws {
        guard let core else { return }
        task = core.loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] _ in self?.round() }
    }

    /// One round: expire what was not seen, probe every port of every switch.
    ///
    /// A link not heard from for `timeout` goes only once its receiving switch has
    /// answered an ECHO sent now: TCP keeps the order, so every packet-in that switch
    /// sent before (its LLDPs among them) has been read by then. Under a flood of
    /// packet-ins the LLDPs wait behind the backlog, and without this the links would time
    /// out while their LLDPs were still on the way. Every switch gets that ECHO, which
    /// also measures its control channel's round trip.
    private func round() {
        guard let core else { return }
        let now = NIODeadline.now()
        let stale = Set(seen.filter { now - $0.value > timeout }.map(\.key))
        let staleBroadcast = Set(seenBroadcast.filter { now - $0.value > timeout }.map(\.key))
        let cutoff = now - timeout
        for sw in core.switches.values {
            let mine = stale.filter { $0.dst == sw.dpid }, mineBroadcast = staleBroadcast.filter { $0.dst == sw.dpid }
            if mine.isEmpty && mineBroadcast.isEmpty {
                sw.echo()
                continue
            }
            sw.echo { [weak self] in self?.expire(mine, mineBroadcast, olderThan: cutoff) }
        }
        // Links into switches that are gone are dropped with them (`switchGone`).
        for sw in core.switches.values { probe(sw) }
    }

    /// Drops the links of `candidates` still not heard from since `cutoff`.
    private func expire(_ candidates: Set<SwitchLink>, _ broadcast: Set<SwitchLink>, olderThan cutoff: NIODeadline) {
        var gone = 0
        for l in candidates where (seen[l].map { $0 <= cutoff } ?? false) {
            seen[l] = nil
            gone += 1
        }
        var goneBroadcast = 0
        for l in broadcast where (seenBroadcast[l].map { $0 <= cutoff } ?? false) {
            seenBroadcast[l] = nil
            goneBroadcast += 1
        }
        guard gone + goneBroadcast > 0 else { return }
        counters?.add(name, "links timed out", UInt64(gone))
        update()
    }

    /// LLDP out of every live port of `sw`.
    public func probe(_ sw: SwitchConnection) {
        for port in sw.livePorts { probe(sw, port: port) }
    }

    private func probe(_ sw: SwitchConnection, port: UInt32) {
        let mac = sw.ports[port]?.hwAddr.rawValue ?? 0x0200_0000_0000 | UInt64(port)
        for broadcast in [false, true] {
            let frame = Self.lldp(dpid: sw.dpid, port: port, source: mac, controller: controllerID, broadcast: broadcast,
                                  sent: Self.clock())
            sw.send(.packetOut(OFPacketOut(inPort: .controller, actions: [.output(port: OFPortNo(rawValue: port))], data: frame)))
        }
        counters?.add(name, "LLDPs sent")
        counters?.add(name, "BDDPs sent")
    }

    /// A switch that arrives is probed; the links its LLDP finds are probed back from
    /// their other end (`packetIn`), so both directions are known at once.
    public func switchReady(_ sw: SwitchConnection) {
        probe(sw)
        lastChange = .now()
    }

    public func switchGone(_ sw: SwitchConnection) {
        let before = seen.count + seenBroadcast.count
        seen = seen.filter { $0.key.src != sw.dpid && $0.key.dst != sw.dpid }
        seenBroadcast = seenBroadcast.filter { $0.key.src != sw.dpid && $0.key.dst != sw.dpid }
        if seen.count + seenBroadcast.count != before { update() }
    }

    public func portChanged(_ status: OFPortStatus, on sw: SwitchConnection) {
        let port = status.desc.portNo.rawValue
        let down = status.reason == OFPortStatus.reasonDelete || status.desc.config & OFPortDesc.configPortDown != 0
            || status.desc.state & OFPortDesc.stateLinkDown != 0
        if down {
            let before = seen.count + seenBroadcast.count
            func off(_ l: SwitchLink) -> Bool { !(l.src == sw.dpid && l.srcPort == port) && !(l.dst == sw.dpid && l.dstPort == port) }
            seen = seen.filter { off($0.key) }
            seenBroadcast = seenBroadcast.filter { off($0.key) }
            if seen.count + seenBroadcast.count != before {
                counters?.add(name, "links down")
                update()
            }
        } else {
            probe(sw, port: port)
        }
    }

    public func packetIn(_ packet: OFPacketIn, from sw: SwitchConnection) -> Bool {
        let d = packet.data
        guard d.count >= 14 else { return false }
        let type = UInt16(d[12]) << 8 | UInt16(d[13])
        guard type == Self.lldpType || type == Self.bddpType else { return false }
        let broadcast = type == Self.bddpType
        counters?.add(name, broadcast ? "BDDPs received" : "LLDPs received")
        let arrived = Self.clock()
        guard let inPort = packet.match.inPort?.rawValue, let info = Self.parse(d) else {
            counters?.add(name, "LLDPs not understood")
            return true
        }
        guard info.controller == controllerID else {
            counters?.add(name, "LLDPs of another controller")
            return true
        }
        guard info.dpid != sw.dpid || info.port != inPort else { return true }
        let link = SwitchLink(src: info.dpid, srcPort: info.port, dst: sw.dpid, dstPort: inPort)
        if broadcast {
            let isNew = seenBroadcast[link] == nil
            seenBroadcast[link] = .now()
            if isNew {
                if seenBroadcast[link.reversed] == nil { probe(sw, port: inPort) }
                update()
            }
            return true
        }
        let isNew = seen[link] == nil
        seen[link] = .now()
        if let sent = info.sent, sent <= arrived, let src = core?.switches[info.dpid] {
            sample(link, Int64(arrived - sent) - (src.echoRoundTrip?.nanoseconds ?? 0) / 2 - (sw.echoRoundTrip?.nanoseconds ?? 0) / 2)
        }
        if isNew {
            counters?.add(name, "links found")
            // The other direction, from this end: an LLDP sent there before the far
            // switch was ready was lost.
            if seen[link.reversed] == nil { probe(sw, port: inPort) }
            update()
        }
        return true
    }

    /// The monotonic clock in nanoseconds (the LLDP timestamp TLV's unit).
    static func clock() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private func sample(_ link: SwitchLink, _ nanos: Int64) {
        var s = samples[link, default: []]
        s.append(max(0, nanos))
        if s.count > Self.samplesKept { s.removeFirst(s.count - Self.samplesKept) }
        samples[link] = s
        let median = TimeAmount.nanoseconds(s.sorted()[s.count / 2])
        let old = latency[link]
        latency[link] = median
        if let old, abs(median.nanoseconds - old.nanoseconds) > max(1_000_000, old.nanoseconds / 4) {
            counters?.add(name, "latency changes")
            for l in latencyListeners { l() }
        }
    }

    private func update() {
        let direct = Set(seen.keys)
        // A BDDP also crosses a direct link: only ports with no LLDP link are external.
        var directEnds: Set<[UInt64]> = []
        for l in direct { directEnds.insert([l.src, UInt64(l.srcPort)]); directEnds.insert([l.dst, UInt64(l.dstPort)]) }
        let external = Set(seenBroadcast.keys.filter {
            !directEnds.contains([$0.src, UInt64($0.srcPort)]) && !directEnds.contains([$0.dst, UInt64($0.dstPort)]) && $0.src != $0.dst
        })
        guard direct != links || external != externalLinks else { return }
        if external.count > externalLinks.count { counters?.add(name, "external links found", UInt64(external.count - externalLinks.count)) }
        links = direct
        externalLinks = external
        // A link that went takes its measurements with it (however it went).
        samples = samples.filter { direct.contains($0.key) }
        latency = latency.filter { direct.contains($0.key) }
        lastChange = .now()
        for l in listeners { l.linksChanged(direct.union(external)) }
    }

    // MARK: - The frame

    /// An LLDP frame: chassis id (the datapath id, as "dpid:" and 16 hex digits, locally
    /// assigned), port id (the port number, 4 bytes, locally assigned), TTL 120, the dpid,
    /// the controller id and (with `sent`) the time it was sent, in nanoseconds of the
    /// controller's monotonic clock, in organisation-specific TLVs, the end.
    /// With `broadcast`, the BDDP form: to ff:ff:ff:ff:ff:ff, ethertype 0x8942.
    public static func lldp(dpid: UInt64, port: UInt32, source: UInt64, controller: UInt64, broadcast: Bool = false,
                            sent: UInt64? = nil) -> [UInt8] {
        var b: [UInt8] = []
        func mac(_ v: UInt64) { for i in 0..<6 { b.append(UInt8(truncatingIfNeeded: v >> (40 - 8 * i))) } }
        func be<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
        func tlv(_ type: UInt8, _ value: [UInt8]) {
            b += [type << 1 | UInt8(value.count >> 8), UInt8(truncatingIfNeeded: value.count)] + value
        }
        mac(broadcast ? 0xFFFF_FFFF_FFFF : lldpDestination)
        mac(source)
        b += be(broadcast ? bddpType : lldpType)
        tlv(1, [7] + Array("dpid:\(String(format: "%016llx", dpid))".utf8))
        tlv(2, [7] + be(port))
        tlv(3, be(UInt16(120)))
        tlv(127, oui + [0] + be(dpid))
        tlv(127, oui + [1] + be(controller))
        if let sent { tlv(127, oui + [2] + be(sent)) }
        tlv(0, [])
        return b
    }

    /// The datapath id, port, controller id and send time (when it carries one) of one of
    /// our LLDP frames; nil for any other frame, or a malformed one.
    public static func parse(_ frame: [UInt8]) -> (dpid: UInt64, port: UInt32, controller: UInt64, sent: UInt64?)? {
        var i = 14
        var dpid: UInt64?, port: UInt32?, controller: UInt64?, sent: UInt64?
        func be64(_ s: ArraySlice<UInt8>) -> UInt64 { s.reduce(0) { $0 << 8 | UInt64($1) } }
        while i + 2 <= frame.count {
            let type = frame[i] >> 1
            let length = Int(frame[i] & 1) << 8 | Int(frame[i + 1])
            i += 2
            guard i + length <= frame.count else { return nil }
            let v = frame[i..<(i + length)]
            switch type {
            case 0:
                guard let dpid, let port, let controller else { return nil }
                return (dpid, port, controller, sent)
            case 2 where length == 5 && v.first == 7:
                port = UInt32(truncatingIfNeeded: be64(v.dropFirst()))
            case 127 where length == 12 && Array(v.prefix(3)) == oui:
                let value = be64(v.dropFirst(4))
                switch v[v.startIndex + 3] {
                case 0: dpid = value
                case 1: controller = value
                case 2: sent = value
                default: break
                }
            default:
                break
            }
            i += length
        }
        return nil
    }
}
