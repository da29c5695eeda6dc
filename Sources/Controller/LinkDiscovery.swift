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

    public init(interval: TimeAmount = .seconds(2), timeout: TimeAmount = .seconds(7),
                controllerID: UInt64 = UInt64.random(in: 1...UInt64.max)) {
        self.interval = interval
        self.timeout = timeout
        self.controllerID = controllerID
    }

    public func addListener(_ l: LinkListener) { listeners.append(l) }

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
    private func round() {
        guard let core else { return }
        let now = NIODeadline.now()
        let stale = seen.filter { now - $0.value > timeout }.map(\.key)
        let staleBroadcast = seenBroadcast.filter { now - $0.value > timeout }.map(\.key)
        if !stale.isEmpty || !staleBroadcast.isEmpty {
            for l in stale { seen[l] = nil }
            for l in staleBroadcast { seenBroadcast[l] = nil }
            counters?.add(name, "links timed out", UInt64(stale.count))
            update()
        }
        for sw in core.switches.values { probe(sw) }
    }

    /// LLDP out of every live port of `sw`.
    public func probe(_ sw: SwitchConnection) {
        for port in sw.livePorts { probe(sw, port: port) }
    }

    private func probe(_ sw: SwitchConnection, port: UInt32) {
        let mac = sw.ports[port]?.hwAddr.rawValue ?? 0x0200_0000_0000 | UInt64(port)
        for broadcast in [false, true] {
            let frame = Self.lldp(dpid: sw.dpid, port: port, source: mac, controller: controllerID, broadcast: broadcast)
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
        if isNew {
            counters?.add(name, "links found")
            // The other direction, from this end: an LLDP sent there before the far
            // switch was ready was lost.
            if seen[link.reversed] == nil { probe(sw, port: inPort) }
            update()
        }
        return true
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
        lastChange = .now()
        for l in listeners { l.linksChanged(direct.union(external)) }
    }

    // MARK: - The frame

    /// An LLDP frame: chassis id (the datapath id, as "dpid:" and 16 hex digits, locally
    /// assigned), port id (the port number, 4 bytes, locally assigned), TTL 120, the dpid
    /// and the controller id in organisation-specific TLVs, the end.
    /// With `broadcast`, the BDDP form: to ff:ff:ff:ff:ff:ff, ethertype 0x8942.
    public static func lldp(dpid: UInt64, port: UInt32, source: UInt64, controller: UInt64, broadcast: Bool = false) -> [UInt8] {
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
        tlv(0, [])
        return b
    }

    /// The datapath id, port and controller id of one of our LLDP frames; nil for any
    /// other frame, or a malformed one.
    public static func parse(_ frame: [UInt8]) -> (dpid: UInt64, port: UInt32, controller: UInt64)? {
        var i = 14
        var dpid: UInt64?, port: UInt32?, controller: UInt64?
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
                return (dpid, port, controller)
            case 2 where length == 5 && v.first == 7:
                port = UInt32(truncatingIfNeeded: be64(v.dropFirst()))
            case 127 where length == 12 && Array(v.prefix(3)) == oui:
                let value = be64(v.dropFirst(4))
                if v[v.startIndex + 3] == 0 { dpid = value } else if v[v.startIndex + 3] == 1 { controller = value }
            default:
                break
            }
            i += length
        }
        return nil
    }
}
