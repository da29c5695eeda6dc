import NIOCore
import NIOPosix

/// The controller built into swiftnet (`--controller builtin`): its modules loaded in
/// order on one event loop, listening for switches on 127.0.0.1.
public final class BuiltinController: @unchecked Sendable {
    public let counters = DebugCounters()
    public let core: OpenFlowCore
    public let context: ModuleContext
    private let group: MultiThreadedEventLoopGroup

    /// Loads and starts `extra` modules after the core, link discovery and the learning
    /// switch.
    /// - Throws: `ModuleError` (a cycle, a missing service), or the listening socket's error.
    public init(port: Int = 0, modules extra: [ControllerModule] = []) throws {
        let g = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let core = OpenFlowCore(loop: g.next(), port: port, counters: counters)
        do {
            context = try ModuleLoader.load([core, LinkDiscovery(), LearningSwitch()] + extra)
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

    /// Closes every switch's connection and the loop.
    public func stop() {
        core.stop()
        try? group.syncShutdownGracefully()
    }
}
