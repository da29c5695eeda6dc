import Foundation
import HeapModule
import NIOCore
import OpenFlow

/// A host the controller has seen: its MAC address, IPv4 address (from ARP or IPv4
/// packets), IPv6 addresses (the sources of its IPv6 packets, link-local ones too, the
/// latest `maxIPv6` of them), VLAN, where it is attached and when it was last seen.
public struct Device: Hashable, Sendable {
    public var mac: UInt64
    public var ipv4: OFIPv4Address?
    public var ipv6: [OFIPv6Address] = []
    public static let maxIPv6 = 4
    public var vlan: UInt16?
    public var dpid: UInt64
    public var port: UInt32
    /// Seconds since 1970.
    public var lastSeen: Double
}

/// The device manager (Floodlight's DeviceManager): hosts by MAC address, learnt from the
/// packet-ins of ports that are not ends of switch-to-switch links.
public final class DeviceManager: ControllerModule, OpenFlowListener, LinkListener, @unchecked Sendable {
    public let name = "device-manager"
    public let provides: [ServiceName] = ["devices"]
    public let needs: [ServiceName] = ["openflow", "links"]

    private var counters: DebugCounters?
    /// The ports at a switch-to-switch link's receiving end, as (dpid, port).
    private var linkEnds: Set<[UInt64]> = []
    /// The ports at an external link's receiving end: a host seen there may be on the
    /// segment, or a copy of a packet flooded into the segment by another switch.
    private var externalEnds: Set<[UInt64]> = []
    private var discovery: LinkDiscovery?
    /// On the core's loop.
    public private(set) var devices: [UInt64: Device] = [:]

    public init() {}

    public func initialise(_ context: ModuleContext) throws {
        let core = try context.require("openflow", as: OpenFlowCore.self, by: name)
        let links = try context.require("links", as: LinkDiscovery.self, by: name)
        counters = core.counters
        discovery = links
        core.addListener(self)
        links.addListener(self)
    }

    public func start(_ context: ModuleContext) throws {}

    /// A host seen on a port that turned out to be a direct link's end was a copy passing
    /// by. The ends of external links (a segment that is not OpenFlow) may have hosts.
    public func linksChanged(_ links: Set<SwitchLink>) {
        let direct = discovery?.links ?? links
        linkEnds = Set(direct.map { [$0.dst, UInt64($0.dstPort)] })
        let external = Set(links.subtracting(direct).map { [$0.dst, UInt64($0.dstPort)] })
        // A host placed on a port that has just turned out to face a segment may have been
        // a copy passing by: it is placed again by its next packet.
        let newlyExternal = external.subtracting(externalEnds)
        externalEnds = external
        devices = devices.filter { !linkEnds.contains([$0.value.dpid, UInt64($0.value.port)]) && !newlyExternal.contains([$0.value.dpid, UInt64($0.value.port)]) }
    }

    public func switchGone(_ sw: SwitchConnection) { devices = devices.filter { $0.value.dpid != sw.dpid } }

    public func packetIn(_ packet: OFPacketIn, from sw: SwitchConnection) -> Bool {
        guard let inPort = packet.match.inPort?.rawValue,
              let p = packet.data.withUnsafeBytes({ ParsedPacket(bytes: $0, inPort: OFPortNo(rawValue: inPort)) }) else { return false }
        let mac = p.ethSrc.rawValue
        guard mac & 0x0100_0000_0000 == 0, mac != 0 else { return false }
        // Link-local frames (a bridge's BPDUs) come from bridges, not hosts.
        if p.ethDst.rawValue & ~0xF == 0x0180_C200_0000 { return false }
        // A port at the end of a switch-to-switch link is not where a host is.
        if linkEnds.contains([sw.dpid, UInt64(inPort)]) { return false }
        // On a segment's port: a host known elsewhere stays there (this is a copy of its
        // packet that crossed the segment); only a host not known yet is placed here.
        if externalEnds.contains([sw.dpid, UInt64(inPort)]), let known = devices[mac], known.dpid != sw.dpid || known.port != inPort {
            return false
        }
        var d = devices[mac] ?? Device(mac: mac, dpid: sw.dpid, port: inPort, lastSeen: 0)
        if d.dpid != sw.dpid || d.port != inPort { counters?.add(name, "devices moved") }
        if devices[mac] == nil { counters?.add(name, "devices learnt") }
        d.dpid = sw.dpid
        d.port = inPort
        d.vlan = p.vlanVID
        if let ip = p.arpSpa ?? p.ipv4Src { d.ipv4 = ip }
        if let ip = p.ipv6Src, ip.high != 0 || ip.low != 0, d.ipv6.last != ip {
            // (:: is the source of duplicate address detection, not an address.)
            d.ipv6.removeAll { $0 == ip }
            d.ipv6.append(ip)
            if d.ipv6.count > Device.maxIPv6 { d.ipv6.removeFirst() }
        }
        d.lastSeen = Date().timeIntervalSince1970
        devices[mac] = d
        return false
    }
}

/// The topology module (Floodlight's TopologyManager): switches and links as a graph;
/// its islands (switches joined by links); one broadcast tree per island (breadth-first
/// from the island's lowest datapath id), so floods never loop; shortest paths by hop
/// count, or by the links' measured latency (Floodlight's path metrics `hopcount` and
/// `latency`). Recomputed whenever the links change.
public final class TopologyService: ControllerModule, LinkListener, OpenFlowListener, @unchecked Sendable {
    public let name = "topology"
    public let provides: [ServiceName] = ["topology"]
    public let needs: [ServiceName] = ["openflow", "links"]

    private var core: OpenFlowCore?
    private var counters: DebugCounters?
    private var listeners: [(TopologyChange) -> Void] = []
    // On the core's loop.
    /// Each switch's links, in `ordered`'s order (kept so, not sorted per path).
    private var adjacency: Adjacency = [:]
    /// Link ports on the broadcast tree, per switch.
    private var treePorts: [UInt64: Set<UInt32>] = [:]
    /// Every port at the end of a link, per switch.
    private var linkPorts: [UInt64: Set<UInt32>] = [:]
    /// The one port per island and segment (a bridge that is not OpenFlow, found by
    /// BDDP) that floods go out of and come in by, per switch.
    private var designatedPorts: [UInt64: Set<UInt32>] = [:]
    private var discovery: LinkDiscovery?
    /// The islands, each as its switches' datapath ids, sorted.
    public private(set) var islands: [[UInt64]] = []
    /// What a shortest path is shortest in.
    public private(set) var metric: PathMetric
    /// The links paths use now (both directions seen, both switches connected).
    public private(set) var usable: Set<SwitchLink> = []

    public init(metric: PathMetric = .hopcount) { self.metric = metric }

    /// Chooses the path metric (on the loop); the listeners hear of it as of a change.
    public func setMetric(_ m: PathMetric) {
        guard m != metric else { return }
        metric = m
        counters?.add(name, "metric changes")
        for l in listeners { l(.costs) }
    }

    /// Called (on the loop) after every recomputation, and when the metric or (under the
    /// latency metric) a link's latency changes.
    public func onChange(_ body: @escaping (TopologyChange) -> Void) { listeners.append(body) }

    public func initialise(_ context: ModuleContext) throws {
        let core = try context.require("openflow", as: OpenFlowCore.self, by: name)
        let links = try context.require("links", as: LinkDiscovery.self, by: name)
        self.core = core
        discovery = links
        counters = core.counters
        links.addListener(self)
        core.addListener(self)
        links.onLatencyChange { [weak self] in
            guard let self, self.metric == .latency else { return }
            for l in self.listeners { l(.costs) }
        }
    }

    public func start(_ context: ModuleContext) throws {}

    private var links: Set<SwitchLink> = []

    public func linksChanged(_ links: Set<SwitchLink>) {
        self.links = links
        recompute()
    }

    public func switchReady(_ sw: SwitchConnection) { recompute() }
    public func switchGone(_ sw: SwitchConnection) { recompute() }

    /// A link counts once both directions are seen (a one-way LLDP is not a path).
    /// Islands and their broadcast trees follow the direct links; paths may also cross
    /// segments (external links), whose floods go by one designated port per island.
    private func recompute() {
        guard let core else { return }
        adjacency = [:]
        linkPorts = [:]
        designatedPorts = [:]
        let external = discovery?.externalLinks ?? []
        var direct: Adjacency = [:]
        var segmentOf: [[UInt64]: [UInt64]] = [:]
        func root(_ e: [UInt64]) -> [UInt64] {
            var r = e
            while let up = segmentOf[r], up != r { r = up }
            return r
        }
        usable = []
        for l in links.sorted() where links.contains(l.reversed) && core.switches[l.src] != nil && core.switches[l.dst] != nil {
            usable.insert(l)
            adjacency[l.src, default: []].append((l.srcPort, l.dst, l.dstPort))
            linkPorts[l.src, default: []].insert(l.srcPort)
            if external.contains(l) {
                let a = [l.src, UInt64(l.srcPort)], b = [l.dst, UInt64(l.dstPort)]
                if segmentOf[a] == nil { segmentOf[a] = a }
                if segmentOf[b] == nil { segmentOf[b] = b }
                let ra = root(a), rb = root(b)
                if ra != rb {
                    let (low, high) = ra.lexicographicallyPrecedes(rb) ? (ra, rb) : (rb, ra)
                    segmentOf[high] = low
                }
            } else {
                direct[l.src, default: []].append((l.srcPort, l.dst, l.dstPort))
            }
        }
        adjacency = Self.ordered(adjacency)
        treePorts = [:]
        islands = []
        var seen: Set<UInt64> = []
        for root in core.switches.keys.sorted() where !seen.contains(root) {
            var island: [UInt64] = [root]
            seen.insert(root)
            var queue = [root]
            while !queue.isEmpty {
                let s = queue.removeFirst()
                for e in direct[s] ?? [] where !seen.contains(e.peer) {
                    seen.insert(e.peer)
                    island.append(e.peer)
                    queue.append(e.peer)
                    treePorts[s, default: []].insert(e.port)
                    treePorts[e.peer, default: []].insert(e.peerPort)
                }
            }
            islands.append(island.sorted())
        }
        // Each segment's lowest port in each island is the island's way in and out of it.
        var islandOf: [UInt64: Int] = [:]
        for (i, island) in islands.enumerated() { for d in island { islandOf[d] = i } }
        var chosen: [[UInt64]: [UInt64]] = [:]
        for end in segmentOf.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let key = root(end) + [UInt64(islandOf[end[0]] ?? 0)]
            if chosen[key] == nil { chosen[key] = end }
        }
        for end in chosen.values { designatedPorts[end[0], default: []].insert(UInt32(end[1])) }
        counters?.add(name, "recomputations")
        for l in listeners { l(.links) }
    }

    /// True for a port at the end of a switch-to-switch link.
    public func isLinkPort(_ dpid: UInt64, _ port: UInt32) -> Bool { linkPorts[dpid]?.contains(port) ?? false }

    /// True for a link end that floods use: on the broadcast tree, or a segment's
    /// designated port.
    func floods(_ dpid: UInt64, _ port: UInt32) -> Bool {
        !isLinkPort(dpid, port) || treePorts[dpid]?.contains(port) == true || designatedPorts[dpid]?.contains(port) == true
    }

    /// Where a flood goes out of `dpid` (not `inPort`): every live port that is not a
    /// link's end, the link ends on the broadcast tree and the designated segment ports.
    public func floodPorts(_ sw: SwitchConnection, except inPort: UInt32) -> [UInt32] {
        sw.livePorts.filter { $0 != inPort && floods(sw.dpid, $0) }
    }

    /// False for a broadcast that came in on a link end off the tree (or a segment's port
    /// that is not designated): another copy of it arrives by the tree.
    public func acceptsBroadcast(_ dpid: UInt64, inPort: UInt32) -> Bool { floods(dpid, inPort) }

    /// The shortest path from switch `a` to switch `b` by the metric: each hop as the
    /// switch and the port it sends out of (empty when a == b, nil when unreachable).
    public func path(from a: UInt64, to b: UInt64) -> Hops? {
        switch metric {
        case .hopcount:
            return Self.fewestHops(adjacency, from: a, to: b)
        case .latency:
            let measured = discovery?.latency ?? [:]
            return Self.cheapest(adjacency, from: a, to: b) { s, e in
                Self.latencyCost(measured[SwitchLink(src: s, srcPort: e.port, dst: e.peer, dstPort: e.peerPort)])
            }
        }
    }

    public typealias Adjacency = [UInt64: [(port: UInt32, peer: UInt64, peerPort: UInt32)]]
    public typealias Hops = [(dpid: UInt64, out: UInt32, nextInPort: UInt32)]

    /// Each switch's links by peer, then port: the order ties between equal paths go by.
    public static func ordered(_ adjacency: Adjacency) -> Adjacency {
        adjacency.mapValues { $0.sorted { ($0.peer, $0.port) < ($1.peer, $1.port) } }
    }

    /// A link's cost under the latency metric: its latency in microseconds, plus 100 µs a
    /// hop, so links whose latencies are within noise of each other go by hop count; a link
    /// with no measurement yet costs as if it had 1 ms.
    public static func latencyCost(_ latency: TimeAmount?) -> Int64 {
        100 + (latency.map { $0.nanoseconds / 1_000 } ?? 1_000)
    }

    /// Breadth-first: the path with the fewest hops (ties: the earlier link in `adjacency`,
    /// which `ordered` puts by lower datapath id, then port).
    public static func fewestHops(_ adjacency: Adjacency, from a: UInt64, to b: UInt64) -> Hops? {
        if a == b { return [] }
        var previous: [UInt64: (from: UInt64, out: UInt32, inPort: UInt32)] = [:]
        var queue = [a]
        var head = 0
        var seen: Set<UInt64> = [a]
        while head < queue.count {
            let s = queue[head]
            head += 1
            for e in adjacency[s] ?? [] where !seen.contains(e.peer) {
                seen.insert(e.peer)
                previous[e.peer] = (s, e.port, e.peerPort)
                if e.peer == b { return walk(previous, to: b) }
                queue.append(e.peer)
            }
        }
        return nil
    }

    /// Dijkstra: the path of least total `cost` (each link's, at least 1; ties as in
    /// `fewestHops`).
    public static func cheapest(_ adjacency: Adjacency, from a: UInt64, to b: UInt64,
                                cost: (UInt64, (port: UInt32, peer: UInt64, peerPort: UInt32)) -> Int64) -> Hops? {
        if a == b { return [] }
        struct Entry: Comparable {
            let distance: Int64, dpid: UInt64
            static func < (x: Entry, y: Entry) -> Bool { (x.distance, x.dpid) < (y.distance, y.dpid) }
        }
        var distance: [UInt64: Int64] = [a: 0]
        var previous: [UInt64: (from: UInt64, out: UInt32, inPort: UInt32)] = [:]
        var done: Set<UInt64> = []
        var heap = Heap<Entry>([Entry(distance: 0, dpid: a)])
        while let e = heap.popMin() {
            guard !done.contains(e.dpid) else { continue }
            if e.dpid == b { return walk(previous, to: b) }
            done.insert(e.dpid)
            for link in adjacency[e.dpid] ?? [] where !done.contains(link.peer) {
                let d = e.distance + max(1, cost(e.dpid, link))
                if d < distance[link.peer] ?? .max {
                    distance[link.peer] = d
                    previous[link.peer] = (e.dpid, link.port, link.peerPort)
                    heap.insert(Entry(distance: d, dpid: link.peer))
                }
            }
        }
        return nil
    }

    private static func walk(_ previous: [UInt64: (from: UInt64, out: UInt32, inPort: UInt32)], to b: UInt64) -> Hops {
        var hops: Hops = []
        var at = b
        while let p = previous[at] {
            hops.append((p.from, p.out, p.inPort))
            at = p.from
        }
        return hops.reversed()
    }

    /// The shortest path from port `inPort` of switch `a` to port `outPort` of switch `b`:
    /// every switch on it, first to last, with the port a packet comes in by and the one it
    /// leaves by (nil when unreachable).
    public func route(from a: UInt64, inPort: UInt32, to b: UInt64, outPort: UInt32) -> [(dpid: UInt64, inPort: UInt32, outPort: UInt32)]? {
        guard let hops = path(from: a, to: b) else { return nil }
        var out: [(dpid: UInt64, inPort: UInt32, outPort: UInt32)] = []
        var arriving = inPort
        for h in hops {
            out.append((h.dpid, arriving, h.out))
            arriving = h.nextInPort
        }
        out.append((b, arriving, outPort))
        return out
    }
}

/// What a shortest path is shortest in (Floodlight's names).
public enum PathMetric: String, Sendable, CaseIterable {
    case hopcount
    case latency
}

/// Why the topology's listeners are called.
public enum TopologyChange: Sendable {
    /// Switches or links came or went.
    case links
    /// The path metric, or a link's cost under it, changed.
    case costs
}
