import Foundation
import OpenFlow

/// Floodlight's REST API, the read-only part, in Floodlight's paths and JSON shapes:
/// what Floodlight-era scripts and tutorials ask a controller.
extension BuiltinController {
    struct SwitchView: Encodable {
        let inetAddress: String
        let connectedSince: Int64
        let openFlowVersion: String
        let switchDPID: String
    }

    struct LinkView: Encodable {
        let srcSwitch: String, srcPort: UInt32, dstSwitch: String, dstPort: UInt32
        /// Floodlight's latency (whole milliseconds), and swiftnet's in microseconds (nil
        /// before the first measurement).
        let type: String, direction: String, latency: Int, latencyMicros: Int?
        enum CodingKeys: String, CodingKey {
            case srcSwitch = "src-switch", srcPort = "src-port", dstSwitch = "dst-switch", dstPort = "dst-port"
            case type, direction, latency, latencyMicros = "latency-us"
        }
    }

    struct AttachmentView: Encodable {
        let `switch`: String
        let port: String
    }

    struct DeviceView: Encodable {
        let entityClass = "DefaultEntityClass"
        let mac: [String], ipv4: [String], ipv6: [String], vlan: [String]
        let attachmentPoint: [AttachmentView]
        let lastSeen: Int64
    }

    struct DevicesView: Encodable { let devices: [DeviceView] }

    /// Floodlight's NodePortTuple: a switch and one of its ports, both written as strings
    /// (as 1.2 wrote them).
    struct SwitchPortView: Encodable, Hashable, Comparable {
        let dpid: UInt64, port: UInt32
        init(_ dpid: UInt64, _ port: UInt32) { (self.dpid, self.port) = (dpid, port) }
        static func < (a: Self, b: Self) -> Bool { (a.dpid, a.port) < (b.dpid, b.port) }
        enum CodingKeys: String, CodingKey { case dpid = "switch", port }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(SwitchConnection.text(dpid), forKey: .dpid)
            try c.encode("\(port)", forKey: .port)
        }
    }

    struct HopView: Encodable {
        let `switch`: String
        let port: UInt32
    }

    static func mac(_ v: UInt64) -> String { OFMACAddress(rawValue: v).description }

    /// A datapath id as a path or query writes it: "00:00:00:00:00:00:00:01" or a number.
    static func dpid(_ text: String) -> UInt64? {
        let hex = text.replacingOccurrences(of: ":", with: "")
        return text.contains(":") ? UInt64(hex, radix: 16) : UInt64(text)
    }

    /// The answer to `GET /wm/...` (`parts` after "wm", `query` its parameters), as JSON;
    /// nil for a path it does not serve.
    public func rest(_ parts: [String], query: [String: String] = [:]) -> [UInt8]? {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json<T: Encodable>(_ v: T) -> [UInt8] { Array((try? e.encode(v)) ?? Data("null".utf8)) }
        let discovery = context.service("links", as: LinkDiscovery.self)
        let devices = context.service("devices", as: DeviceManager.self)
        let topology = context.service("topology", as: TopologyService.self)
        switch parts {
        case ["core", "controller", "switches", "json"]:
            let views = core.onLoop { [core] in
                core.switches.values.sorted { $0.dpid < $1.dpid }.map { s in
                    SwitchView(inetAddress: "/" + (s.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"),
                               connectedSince: Int64(s.connectedAt.timeIntervalSince1970 * 1000),
                               openFlowVersion: s.version == .v1_3 ? "OF_13" : "OF_10", switchDPID: s.dpidText)
                }
            } ?? []
            return json(views)
        case ["topology", "links", "json"], ["topology", "directed-links", "json"], ["topology", "external-links", "json"]:
            // Direct links (LLDP), or those across a segment that is not OpenFlow (BDDP).
            let directed = parts[1] == "directed-links", external = parts[1] == "external-links"
            let (links, latency) = core.onLoop { ((external ? discovery?.externalLinks : discovery?.links) ?? [], discovery?.latency ?? [:]) }
                ?? ([], [:])
            var views: [LinkView] = []
            for l in links.sorted() {
                let both = links.contains(l.reversed)
                if !directed && both && l.reversed < l { continue }
                views.append(LinkView(srcSwitch: SwitchConnection.text(l.src), srcPort: l.srcPort, dstSwitch: SwitchConnection.text(l.dst),
                                      dstPort: l.dstPort, type: external ? "external" : "internal",
                                      direction: directed || !both ? "unidirectional" : "bidirectional",
                                      latency: Int((latency[l]?.nanoseconds ?? 0) / 1_000_000),
                                      latencyMicros: latency[l].map { Int($0.nanoseconds / 1_000) }))
            }
            return json(views)
        case ["topology", "tunnellinks", "json"]:
            return json([LinkView]())   // no tunnels here
        case ["topology", "broadcastdomainports", "json"]:
            // The ports that face a segment that is not OpenFlow (BDDP's external links).
            return json(core.onLoop { Set((discovery?.externalLinks ?? []).map { SwitchPortView($0.src, $0.srcPort) }).sorted() } ?? [])
        case ["topology", "blockedports", "json"]:
            // Link ends floods leave out: off the broadcast tree, or a segment's port that is
            // not designated.
            return json(core.onLoop {
                topology.map { t in t.usable.filter { !t.floods($0.src, $0.srcPort) }.map { SwitchPortView($0.src, $0.srcPort) }.sorted() } ?? []
            } ?? [])
        case ["topology", "enabledports", "json"]:
            return json(core.onLoop { [core] in core.switches.values.flatMap { s in s.livePorts.map { SwitchPortView(s.dpid, $0) } }.sorted() } ?? [])
        case ["topology", "switchclusters", "json"]:
            let islands = core.onLoop { topology?.islands ?? [] } ?? []
            var out: [String: [String]] = [:]
            for i in islands where !i.isEmpty { out[SwitchConnection.text(i[0])] = i.map(SwitchConnection.text) }
            return json(out)
        case ["device"], ["device", ""]:
            var all = (core.onLoop { devices?.devices.values.sorted { $0.mac < $1.mac } ?? [] } ?? [])
            if let m = query["mac"] { all = all.filter { Self.mac($0.mac) == m.lowercased() } }
            if let ip = query["ipv4"] { all = all.filter { $0.ipv4?.description == ip } }
            if let ip = query["ipv6"] { all = all.filter { d in OFIPv6Address(ip).map { d.ipv6.contains($0) } ?? false } }
            if let d = query["dpid"].flatMap(Self.dpid) { all = all.filter { $0.dpid == d } }
            if let p = query["port"].flatMap({ UInt32($0) }) { all = all.filter { $0.port == p } }
            return json(DevicesView(devices: all.map { d in
                DeviceView(mac: [Self.mac(d.mac)], ipv4: d.ipv4.map { [$0.description] } ?? [], ipv6: d.ipv6.map(\.compressed),
                           vlan: d.vlan.map { ["\($0 & 0xFFF)"] } ?? [],
                           attachmentPoint: [AttachmentView(switch: SwitchConnection.text(d.dpid), port: "\(d.port)")],
                           lastSeen: Int64(d.lastSeen * 1000))
            }))
        case let p where (p.count >= 3 && p[0] == "core" && p[1] == "counter") || p.first == "debugcounter":
            // Every module's counters: {"module": {"counter": n}} (one module with a
            // name after "counter/" or "debugcounter/").
            let all = counters.all
            let named = p.first == "debugcounter" ? p.dropFirst().first : p.dropFirst(2).first
            if let m = named, m != "all", m != "json" { return json([m: all[m] ?? [:]]) }
            return json(all)
        case let p where p.count == 7 && p[6] == "json" && ((p[0] == "routing" && p[1] == "path") || (p[0] == "topology" && p[1] == "route")):
            // Floodlight 1.2's path, and /wm/topology/route/..., where 0.9 to 1.1 served it.
            guard let a = Self.dpid(p[2]), let ap = UInt32(p[3]), let b = Self.dpid(p[4]), let bp = UInt32(p[5]),
                  let hops = path(from: a, inPort: ap, to: b, outPort: bp) else { return json([HopView]()) }
            // Floodlight's path: in port and out port on every switch, first to last.
            return json(hops.flatMap { h in [HopView(switch: SwitchConnection.text(h.dpid), port: h.inPort),
                                             HopView(switch: SwitchConnection.text(h.dpid), port: h.outPort)] })
        default:
            return nil
        }
    }
}

extension OFIPv6Address {
    /// The address as RFC 5952 writes it ("fe80::5"), by the C library's inet_ntop.
    public var compressed: String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, bytes, &out, socklen_t(out.count)) != nil else { return description }
        return String(cString: out)
    }
}
