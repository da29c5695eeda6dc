import NIOCore
import OpenFlow

/// The learning switch module (Floodlight's LearningSwitch): each switch learns on which
/// port each source MAC address sits; a packet to a known unicast address gets a flow
/// (in_port, destination and source addresses; idle timeout) and goes out of that port,
/// anything else is flooded. For switches without loops between them: floods follow every
/// link.
public final class LearningSwitch: ControllerModule, OpenFlowListener, @unchecked Sendable {
    public let name = "learning-switch"
    public let provides: [ServiceName] = ["forwarding"]
    public let needs: [ServiceName] = ["openflow"]

    public static let idleTimeout: UInt16 = 5
    public static let priority: UInt16 = 100

    private var core: OpenFlowCore?
    private var counters: DebugCounters?
    /// On the core's loop: per datapath id, MAC address to port.
    private var tables: [UInt64: [UInt64: UInt32]] = [:]

    public init() {}

    public func initialise(_ context: ModuleContext) throws {
        let core = try context.require("openflow", as: OpenFlowCore.self, by: name)
        self.core = core
        counters = core.counters
        core.addListener(self)
    }

    public func start(_ context: ModuleContext) throws {}

    public func switchGone(_ sw: SwitchConnection) { tables[sw.dpid] = nil }

    public func portChanged(_ status: OFPortStatus, on sw: SwitchConnection) {
        // Addresses behind a port that changed are learnt again.
        let port = status.desc.portNo.rawValue
        tables[sw.dpid] = tables[sw.dpid]?.filter { $0.value != port }
    }

    public func packetIn(_ packet: OFPacketIn, from sw: SwitchConnection) -> Bool {
        guard let inPort = packet.match.inPort, let p = Self.parse(packet.data, inPort) else { return false }
        let src = p.ethSrc.rawValue, dst = p.ethDst.rawValue
        // 01:80:c2:00:00:0X (LLDP, STP, pause): link-local, never forwarded.
        if dst & ~0xF == 0x0180_C200_0000 { counters?.add(name, "link-local frames dropped"); return true }
        if src & 0x0100_0000_0000 == 0 { tables[sw.dpid, default: [:]][src] = inPort.rawValue }
        let out: OFPortNo
        if dst & 0x0100_0000_0000 == 0, let known = tables[sw.dpid]?[dst] {
            guard known != inPort.rawValue else { counters?.add(name, "dropped, same port"); return true }
            out = OFPortNo(rawValue: known)
            let match = OFMatch([.inPort(inPort), .ethDst(p.ethDst), .ethSrc(p.ethSrc)])
            sw.send(.flowMod(OFFlowMod(idleTimeout: Self.idleTimeout, priority: Self.priority, match: match,
                                       instructions: [.applyActions([.output(port: out)])])))
            counters?.add(name, "flow-mods")
        } else {
            out = .flood
            counters?.add(name, "floods")
        }
        sw.send(Forwarding.packetOut(packet, inPort: inPort, actions: [.output(port: out)]))
        counters?.add(name, "packet-outs")
        return true
    }

    private static func parse(_ data: [UInt8], _ inPort: OFPortNo) -> ParsedPacket? {
        data.withUnsafeBytes { ParsedPacket(bytes: $0, inPort: inPort) }
    }
}
