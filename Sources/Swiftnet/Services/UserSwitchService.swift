import Controller
import Foundation
import Glibc
import NIOPosix
import OpenFlow
import UserSwitch

/// The `kind: user` switches of a network: one userspace datapath for all of them and,
/// with a controller, the event loop of their connections to it.
///
/// Made with the network when its topology has user switches; started once the fabric
/// and its veths exist (it opens a packet socket on each switch port there); stopped
/// before the namespaces are released.
final class UserSwitchService: NetworkService, @unchecked Sendable {
    let name = "userswitch"
    /// It needs only the core (the fabric namespace and the switch ports).
    let dependencies: [String] = []

    private let switchCount: Int
    /// The controller's address; for the built-in one, known once it listens.
    private var controller: ControllerAddress?
    private let builtin: Bool
    private var builtinController: BuiltinController?
    private let lock = NSLock()
    private var datapath: UserDatapath?
    private var group: MultiThreadedEventLoopGroup?
    private var state = ServiceStatus.State.idle
    private var failure = ""

    /// Nil when the topology has no user switch.
    init?(_ topology: ValidatedTopology) {
        switchCount = topology.switches.filter { $0.kind == .user }.count
        guard switchCount > 0 else { return nil }
        builtin = topology.controller?.isBuiltin == true
        controller = builtin ? nil : topology.controller.map { ControllerAddress(host: $0.host, port: $0.port) }
    }

    /// The built-in controller, while it runs.
    var controllerInstance: BuiltinController? { lock.withLock { builtinController } }

    /// Starts the datapath for every `kind: user` switch: its ports, in port order, with
    /// each link's shaping on both directions; with a controller, each switch's connection
    /// to it, waiting (up to `options.controllerWait`) for the handshakes.
    func start(_ net: Network) throws {
        let topology = net.topology
        guard let fabric = net.fabric?.fd else { throw NetworkError("the user switches need the fabric namespace, which is not there") }
        let user = topology.switches.filter { $0.kind == .user }
        let switchIndex = Dictionary(uniqueKeysWithValues: user.enumerated().map { ($1.name, $0) })
        var ports: [UserSwitchPort] = []
        for l in topology.links {
            for (e, other) in [(l.a, l.b), (l.b, l.a)] {
                guard e.kind == .switch, let sw = switchIndex[e.node] else { continue }
                var p = UserSwitchPort(switchIndex: sw, number: e.port, name: e.interface)
                p.egress = Impairment(l.shaping)
                // A host's end has no shaping of its own here: the switch applies the
                // host's egress as this port's ingress.
                if other.kind != .switch || switchIndex[other.node] == nil { p.ingress = Impairment(l.shaping) }
                p.facesHost = other.kind == .host
                ports.append(p)
            }
        }
        ports.sort { ($0.switchIndex, $0.number) < ($1.switchIndex, $1.number) }
        let switches = user.map { s in
            UserSwitchSpec(name: s.name, dpid: s.dpid, failMode: s.failMode == .secure ? .secure : .standalone,
                           versions: s.protocols.map { $0 == .openFlow10 ? OFVersion.v1_0 : .v1_3 })
        }
        let dp = UserDatapath(switches: switches, ports: ports)
        // A diagnostic (benchmarks compare with and without): every frame through swiftnet.
        if ProcessInfo.processInfo.environment["SWIFTNET_FASTPATH"] == "off" { dp.kernelFastPath = false }
        var loopGroup: MultiThreadedEventLoopGroup?
        if builtin {
            // Swiftnet's own controller, on 127.0.0.1 and a port the kernel picks.
            let c = try BuiltinController()
            let address = ControllerAddress(host: "127.0.0.1", port: c.port)
            lock.withLock {
                builtinController = c
                controller = address
            }
        }
        if let controller = lock.withLock({ controller }) {
            let g = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            loopGroup = g
            dp.connect(to: controller, on: g.next())
        }
        // Kept before it starts, so that `stop` releases what a failed start made.
        lock.withLock {
            datapath = dp
            group = loopGroup
        }
        do {
            try dp.start(fabric: fabric) { net.interfaceIndex($0) }
        } catch {
            let e = (error as? UserSwitchError).map { NetworkError($0.message) } ?? error
            stop()
            lock.withLock {
                state = .failed
                failure = "\(e)"
            }
            throw e
        }
        lock.withLock { state = .running }
        if controller != nil {
            let deadline = ContinuousClock.now + net.options.controllerWait
            while ContinuousClock.now < deadline && !(net.options.isCancelled?() ?? false) {
                if dp.switchStates().allSatisfy(\.connected) { break }
                usleep(10_000)
            }
            // The built-in controller: "built" also means it knows the links (floods then
            // follow its broadcast tree from the first packet).
            lock.withLock { builtinController }?.waitUntilSettled(switches: switchCount)
        }
    }

    /// Stops the datapath (its controller connections, its thread, its sockets) and the
    /// connections' event loop. Safe to call twice.
    func stop() {
        let (dp, g, c) = lock.withLock {
            let taken = (datapath, group, builtinController)
            datapath = nil
            group = nil
            builtinController = nil
            if state == .running { state = .stopped }
            return taken
        }
        dp?.stop()
        try? g?.syncShutdownGracefully()
        c?.stop()
    }

    /// "3 switches, 2 connected to tcp:127.0.0.1:6653", or "3 switches, no controller".
    func status() -> ServiceStatus {
        let (dp, state, failure, controller) = lock.withLock { (datapath, self.state, self.failure, self.controller) }
        let switches = "\(switchCount) switch\(switchCount == 1 ? "" : "es")"
        let detail: String
        switch (state, controller) {
        case (.failed, _):
            detail = "\(switches): \(failure)"
        case (.running, let c?):
            let connected = dp?.switchStates().filter(\.connected).count ?? 0
            detail = "\(switches), \(connected) connected to \(builtin ? "the built-in controller (\(c))" : "\(c)")"
        case (_, let c?):
            detail = "\(switches), controller \(c)"
        case (_, nil):
            detail = "\(switches), no controller"
        }
        return ServiceStatus(name: name, state: state, detail: detail)
    }

    // MARK: - For the network while it runs

    /// The running datapath.
    /// - Throws: `NetworkError` when the network is not running.
    private func running() throws -> UserDatapath {
        guard let dp = lock.withLock({ datapath }) else { throw NetworkError("the network is not running") }
        return dp
    }

    /// Each user switch with its controller connection: "connected (OpenFlow 1.3)" or
    /// "not connected" ("stopped" for a switch stopped by `setSwitch`). Empty without a
    /// controller or while not running.
    func controllerStatus() -> [(switch: String, connected: Bool, detail: String)] {
        guard let dp = lock.withLock({ controller == nil ? nil : datapath }) else { return [] }
        return dp.switchStates().map { s in
            (s.name, s.connected, s.version.map { "connected (\($0))" } ?? (s.running ? "not connected" : "stopped"))
        }
    }

    func dumpFlows(_ sw: String) throws -> String {
        guard let text = try running().dumpFlows(switch: sw) else { throw NetworkError("the network is not running") }
        return text
    }

    func dumpKernelFlows(_ sw: String) throws -> String {
        guard let text = try running().dumpKernelFlows(switch: sw) else { throw NetworkError("the network is not running") }
        return text
    }

    func dumpPorts(_ sw: String) throws -> String {
        guard let text = try running().dumpPorts(switch: sw) else { throw NetworkError("the network is not running") }
        return text
    }

    func flowCount(_ sw: String) throws -> Int {
        guard let n = try running().flowCount(switch: sw) else { throw NetworkError("the network is not running") }
        return n
    }

    func setSwitch(_ sw: String, running on: Bool) throws {
        guard try running().setRunning(on, switch: sw) else { throw NetworkError("the network is not running") }
    }

    /// A switch port's link went down or up: frames to and from it are dropped, and the
    /// controller hears of it (PORT_STATUS).
    func setPort(named port: String, up: Bool) {
        lock.withLock({ datapath })?.setPort(named: port, up: up)
    }

    /// Replaces a switch port's shaping while the network runs (`link A B bw=5`).
    func reshape(port: String, egress: LinkShaping?, ingress: LinkShaping?) {
        lock.withLock({ datapath })?.reshape(port: port, egress: Impairment(egress), ingress: Impairment(ingress))
    }
}

extension Impairment {
    /// A link's shaping as the user switch applies it to one direction; nil when it
    /// impairs nothing.
    init?(_ s: LinkShaping?) {
        guard let s else { return nil }
        self.init(delayMicroseconds: s.delayMicroseconds, jitterMicroseconds: s.jitterMicroseconds, lossPercent: s.lossPercent,
                  bandwidthMbps: s.bandwidthMbps, maxQueue: s.maxQueue)
    }
}
