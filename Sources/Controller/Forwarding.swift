import OpenFlow

/// Shortest-path forwarding (Floodlight's Forwarding): a packet to a known host gets
/// flows on every switch of the shortest path to it, installed from the last switch back
/// to the first so that no packet overtakes its path, then goes on from the switch that
/// asked. Broadcasts and unknown destinations follow the broadcast tree only, so floods
/// never loop. When the links change, the flows it installed go (every switch), and the
/// next packets find the new paths.
public final class Forwarding: ControllerModule, OpenFlowListener, @unchecked Sendable {
    public let name = "forwarding"
    public let provides: [ServiceName] = ["forwarding"]
    public let needs: [ServiceName] = ["openflow", "topology", "devices"]

    public static let idleTimeout: UInt16 = 5
    public static let priority: UInt16 = 100
    /// The cookie of its flows, so they can be taken back without touching others.
    public static let cookie: UInt64 = 0x5357_4E00_0000_0001

    private var core: OpenFlowCore?
    private var topology: TopologyService?
    private var devices: DeviceManager?
    private var counters: DebugCounters?

    public init() {}

    public func initialise(_ context: ModuleContext) throws {
        let core = try context.require("openflow", as: OpenFlowCore.self, by: name)
        let topology = try context.require("topology", as: TopologyService.self, by: name)
        let devices = try context.require("devices", as: DeviceManager.self, by: name)
        self.core = core
        self.topology = topology
        self.devices = devices
        counters = core.counters
        core.addListener(self)
        topology.onChange { [weak self] in self?.withdraw() }
    }

    public func start(_ context: ModuleContext) throws {}

    private var withdrawn: [([SwitchConnection]) -> Void] = []

    /// Called (on the loop) after a withdrawal with the switches whose every flow went:
    /// OpenFlow 1.0 has no cookie mask, so there a delete by cookie deletes all.
    public func afterWithdrawal(_ body: @escaping ([SwitchConnection]) -> Void) { withdrawn.append(body) }

    /// Takes back every flow it installed (the paths may have changed).
    private func withdraw() {
        guard let core else { return }
        var wiped: [SwitchConnection] = []
        for sw in core.switches.values {
            sw.send(.flowMod(OFFlowMod(cookie: Self.cookie, cookieMask: .max, tableID: sw.version == .v1_3 ? 0xFF : 0,
                                       command: .delete)))
            if sw.version == .v1_0 { wiped.append(sw) }
        }
        counters?.add(name, "flow withdrawals")
        if !wiped.isEmpty { for w in withdrawn { w(wiped) } }
    }

    public func packetIn(_ packet: OFPacketIn, from sw: SwitchConnection) -> Bool {
        guard let core, let topology, let inPort = packet.match.inPort,
              let p = packet.data.withUnsafeBytes({ ParsedPacket(bytes: $0, inPort: inPort) }) else { return false }
        let dst = p.ethDst.rawValue
        if dst & ~0xF == 0x0180_C200_0000 { return true }  // link-local: never forwarded
        if dst & 0x0100_0000_0000 == 0, let host = devices?.devices[dst], core.switches[host.dpid] != nil,
           let hops = topology.route(from: sw.dpid, inPort: inPort.rawValue, to: host.dpid, outPort: host.port) {
            counters?.add(name, "path computations")
            if hops.count == 1 && hops[0].inPort == hops[0].outPort { counters?.add(name, "dropped, same port"); return true }
            var flows: [(SwitchConnection, OFPortNo, OFPortNo)] = []
            for h in hops {
                guard let s = core.switches[h.dpid] else { return true }
                flows.append((s, OFPortNo(rawValue: h.inPort), OFPortNo(rawValue: h.outPort)))
            }
            // The last switch first: out to the host.
            for (s, from, out) in flows.reversed() {
                let match = OFMatch([.inPort(from), .ethDst(p.ethDst), .ethSrc(p.ethSrc)])
                s.send(.flowMod(OFFlowMod(cookie: Self.cookie, idleTimeout: Self.idleTimeout, priority: Self.priority, match: match,
                                          instructions: [.applyActions([.output(port: out)])])))
                counters?.add(name, "flow-mods")
            }
            // Everything before the packet-out is in place (a barrier is not needed on
            // one TCP connection per switch for the first hop, and later hops were sent first).
            sw.send(.packetOut(OFPacketOut(inPort: inPort, actions: [.output(port: flows[0].2)], data: packet.data)))
            return true
        }
        // A broadcast, or nobody knows where the destination is: along the tree.
        guard topology.acceptsBroadcast(sw.dpid, inPort: inPort.rawValue) else {
            counters?.add(name, "floods off the tree dropped")
            return true
        }
        let ports = topology.floodPorts(sw, except: inPort.rawValue)
        counters?.add(name, "floods")
        guard !ports.isEmpty else { return true }
        sw.send(.packetOut(OFPacketOut(inPort: inPort, actions: ports.map { .output(port: OFPortNo(rawValue: $0)) }, data: packet.data)))
        return true
    }
}
