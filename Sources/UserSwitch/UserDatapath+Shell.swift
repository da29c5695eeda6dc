import Foundation
import OpenFlow

/// What the shell's `dpctl` and `switch` commands, the control API and tests ask of the
/// switches, by name. Each returns nil for a name that is not one of this datapath's.
extension UserDatapath {
    private func named(_ name: String) -> Switch? { switches.first { $0.name == name } }

    /// The names of the switches, in order.
    public var switchNames: [String] { switches.map(\.name) }

    /// The flow entries of a switch, as `ovs-ofctl dump-flows` prints them.
    public func dumpFlows(switch name: String) -> String? {
        guard let sw = named(name) else { return nil }
        return sync {
            self.foldFastPath()
            let flows = self.flowStats(sw)
            var lines = ["\(sw.isOpenFlow ? "OFPST_FLOW reply" : "learning switch, no controller:") \(flows.count) flows"]
            for f in flows { lines.append(" " + FlowText.describe(f)) }
            return lines.joined(separator: "\n")
        }
    }

    /// Port counters of a switch, as `ovs-ofctl dump-ports` prints them.
    public func dumpPorts(switch name: String) -> String? {
        guard let sw = named(name) else { return nil }
        return sync {
            self.foldFastPath()
            let stats = self.portStats(sw)
            var lines = ["OFPST_PORT reply: \(stats.count) ports"]
            for p in stats {
                lines.append(String(format: "  port %2u: rx pkts=%llu, bytes=%llu, drop=%llu, errs=%llu", p.portNo.rawValue,
                                    p.rxPackets, p.rxBytes, p.rxDropped, p.rxErrors))
                lines.append(String(format: "           tx pkts=%llu, bytes=%llu, drop=%llu, errs=%llu",
                                    p.txPackets, p.txBytes, p.txDropped, p.txErrors))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// The flows the kernel forwards for a switch (its fast path), one a line with its
    /// counts, as `ovs-dpctl dump-flows` prints a datapath's; or why there are none.
    public func dumpKernelFlows(switch name: String) -> String? {
        guard let sw = named(name) else { return nil }
        return sync {
            guard let fp = self.fastPath else { return "kernel fast path: off (every frame passes through swiftnet)" }
            self.foldFastPath()
            func mac(_ v: UInt64) -> String { OFMACAddress(rawValue: v).description }
            let mine = fp.entries.filter { $0.value.switchIndex == sw.index }
                .sorted { (self.ports[$0.value.inPort].number, $0.key.dst) < (self.ports[$1.value.inPort].number, $1.key.dst) }
            var lines = ["kernel fast path: \(mine.count) flows"]
            for (k, e) in mine {
                lines.append(" in_port=\(self.ports[e.inPort].number),dl_src=\(mac(k.src)),dl_dst=\(mac(k.dst)) packets:\(e.packets) bytes:\(e.bytes) actions:output:\(self.ports[e.outPort].number)")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// The number of flow entries of a switch, in all its tables.
    public func flowCount(switch name: String) -> Int? {
        guard let sw = named(name) else { return nil }
        return sync { sw.tables.flowCount }
    }

    /// Stops a switch (it forwards nothing, closes its controller connection and forgets
    /// its flows and MAC table, as a switch that is switched off), or starts it again (it
    /// reconnects to the controller with empty tables). False for an unknown name.
    @discardableResult
    public func setRunning(_ running: Bool, switch name: String) -> Bool {
        guard let sw = named(name) else { return false }
        if !running { sw.connection?.stop() }
        sync {
            sw.running = running
            if !running {
                sw.tables.removeAll()
                sw.macs.removeAll()
                self.connectionChanged(sw, version: nil)
            }
        }
        if running { sw.connection?.start() }
        return true
    }

    /// Every switch with its controller connection, in order.
    public func switchStates() -> [UserSwitchState] {
        sync {
            self.switches.map { UserSwitchState(name: $0.name, connected: $0.ready, version: $0.version, running: $0.running) }
        }
    }
}
