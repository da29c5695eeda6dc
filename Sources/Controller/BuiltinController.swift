import Foundation
import NIOCore
import NIOPosix

/// The controller built into swiftnet (`--controller builtin`): its modules loaded in
/// order on one event loop, listening for switches on 127.0.0.1.
public final class BuiltinController: @unchecked Sendable {
    public let counters = DebugCounters()
    public let core: OpenFlowCore
    public let context: ModuleContext
    /// When the controller started (Floodlight's system uptime counts from it).
    public let startedAt = Date()
    private let group: MultiThreadedEventLoopGroup

    /// The modules after the core when none are given: link discovery, the device
    /// manager, the topology, shortest-path forwarding and the static flow pusher.
    public static func standardModules(metric: PathMetric = .hopcount) -> [ControllerModule] {
        [LinkDiscovery(), DeviceManager(), TopologyService(metric: metric), Forwarding(), StaticFlowPusher()]
    }

    /// A single switch's modules (or switches without loops): the learning switch and the
    /// static flow pusher.
    public static func learningModules() -> [ControllerModule] { [LearningSwitch(), StaticFlowPusher()] }

    /// Loads and starts the OpenFlow core and `modules` (the standard ones by default).
    /// `role`: ACTIVE claims the switches (MASTER), STANDBY waits as their SLAVE.
    /// - Throws: `ModuleError` (a cycle, a missing service), or the listening socket's error.
    public init(host: String = "127.0.0.1", port: Int = 0, modules: [ControllerModule]? = nil, role: ControllerRole = .active) throws {
        let g = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let core = OpenFlowCore(loop: g.next(), host: host, port: port, counters: counters, role: role)
        do {
            context = try ModuleLoader.load([core] + (modules ?? Self.standardModules()))
        } catch {
            core.stop()
            try? g.syncShutdownGracefully()
            throw error
        }
        self.core = core
        group = g
    }

    /// The TCP port switches connect to.
    public var port: Int { core.port }

    /// The modules in load order, by name.
    public var moduleNames: [String] { context.modules.map(\.name) }

    /// Waits (up to `timeout` seconds) until `switches` switches are connected and the
    /// links have not changed for `quiet` seconds; true when they got there.
    @discardableResult
    public func waitUntilSettled(switches: Int, quiet: Double = 0.2, timeout: Double = 3) -> Bool {
        guard let discovery = context.service("links", as: LinkDiscovery.self) else {
            return core.onLoop { [core] in core.switches.count >= switches } ?? false
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let settled = core.onLoop { [core, discovery] in
                core.switches.count >= switches && NIODeadline.now() - discovery.lastChange >= .milliseconds(Int64(quiet * 1000))
            } ?? false
            if settled { return true }
            usleep(20_000)
        }
        return false
    }

    /// The topology's shortest path from switch `a` to switch `b`, as it stands now: each
    /// hop's switch, in port and out port (nil when the controller knows no path).
    public func path(from a: UInt64, inPort: UInt32, to b: UInt64, outPort: UInt32) -> [(dpid: UInt64, inPort: UInt32, outPort: UInt32)]? {
        guard let topology = context.service("topology", as: TopologyService.self) else { return nil }
        return core.onLoop { topology.route(from: a, inPort: inPort, to: b, outPort: outPort) } ?? nil
    }

    /// Closes every switch's connection and the loop.
    public func stop() {
        core.stop()
        try? group.syncShutdownGracefully()
    }
}
