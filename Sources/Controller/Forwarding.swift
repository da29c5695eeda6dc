import OpenFlow

/// Shortest-path forwarding (Floodlight's Forwarding): a packet to a known host gets
/// flows on every switch of the shortest path to it, installed from the last switch back
/// to the first so that no packet overtakes its path, then goes on from the switch that
/// asked. Broadcasts and unknown destinations follow the broadcast tree only, so floods
/// never loop. When a link or switch goes, or the costs change, the flows it installed go
/// (every switch), and the next packets find the new paths; links and switches that only
/// arrive leave the installed paths alone (every link they use is still there).
///
/// A packet-in whose switch kept the packet (a buffer id) is sent on by that id, without
/// its bytes.
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
        topology.onChange { [weak self] change in self?.topologyChanged(change) }
    }

    public func start(_ context: ModuleContext) throws {}

    private var withdrawn: [([SwitchConnection]) -> Void] = []
    /// The links the installed paths may use (as of the last withdrawal or addition).
    private var pathLinks: Set<SwitchLink> = []

    private func topologyChanged(_ change: TopologyChange) {
        guard let topology else { return }
        let now = topology.usable
        if change == .links && pathLinks.isSubset(of: now) {
            pathLinks = now
            counters?.add(name, "topology changes without withdrawal")
            return
        }
        pathLinks = now
        withdraw()
    }

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
            sw.send(Self.packetOut(packet, inPort: inPort, actions: [.output(port: flows[0].2)]))
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
        sw.send(Self.packetOut(packet, inPort: inPort, actions: ports.map { .output(port: OFPortNo(rawValue: $0)) }))
        return true
    }

    /// The PACKET_OUT that sends a packet-in's packet on: by its buffer id when the
    /// switch kept it, else with its bytes.
    static func packetOut(_ packet: OFPacketIn, inPort: OFPortNo, actions: [OFAction]) -> OFMessage {
        if packet.bufferID != OFBufferID.noBuffer {
            return .packetOut(OFPacketOut(bufferID: packet.bufferID, inPort: inPort, actions: actions, data: []))
        }
        return .packetOut(OFPacketOut(inPort: inPort, actions: actions, data: packet.data))
    }
}
