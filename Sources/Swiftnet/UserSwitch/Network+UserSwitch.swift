import Foundation
import Glibc
import Namespaces
import NIOPosix
import OpenFlow

extension Network {
    /// Starts the userspace datapath for every `kind: user` switch: its ports, in port
    /// order, with each link's shaping on both directions; with a controller, each switch's
    /// connection to it, waiting (up to `options.controllerWait`) for the handshakes.
    func startDatapath(fabric: Int32) throws {
        let user = topology.switches.filter { $0.kind == .user }
        let switchIndex = Dictionary(uniqueKeysWithValues: user.enumerated().map { ($1.name, $0) })
        var ports: [UserDatapath.Port] = []
        for l in topology.links {
            for (e, other) in [(l.a, l.b), (l.b, l.a)] {
                guard e.kind == .switch, let sw = switchIndex[e.node] else { continue }
                var p = UserDatapath.Port(switchIndex: sw, number: e.port, name: e.interface)
                p.egress = Impairment(l.shaping)
                // A host's end has no shaping of its own here: the switch applies the
                // host's egress as this port's ingress.
                if other.kind != .switch || switchIndex[other.node] == nil { p.ingress = Impairment(l.shaping) }
                ports.append(p)
            }
        }
        ports.sort { ($0.switchIndex, $0.number) < ($1.switchIndex, $1.number) }
        let switches = user.map { s in
            UserDatapath.Switch(name: s.name, dpid: s.dpid, failMode: s.failMode,
                                versions: s.protocols.map { $0 == .openFlow10 ? OFVersion.v1_0 : .v1_3 })
        }
        let dp = UserDatapath(switches: switches, ports: ports)
        if let controller = topology.controller {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            controllerGroup = group
            let loop = group.next()
            for sw in switches {
                sw.connection = ControllerConnection(
                    spec: controller, versions: sw.versions, loop: loop,
                    // Weak both ways: the switch owns its connection, not the other way round.
                    onMessage: { [weak dp, weak sw] version, frame in
                        guard let dp, let sw else { return }
                        dp.post { [weak dp] in dp?.handle(frame, version: version, switch: sw) }
                    },
                    onState: { [weak dp, weak sw] version in
                        guard let dp, let sw else { return }
                        dp.post { [weak dp] in dp?.connectionChanged(sw, version: version) }
                    })
            }
        }
        try dp.start(fabric: fabric) { self.indexes[$0] }
        datapath = dp
        if topology.controller != nil {
            let deadline = ContinuousClock.now + options.controllerWait
            while ContinuousClock.now < deadline && !(options.isCancelled?() ?? false) {
                if dp.sync({ switches.allSatisfy(\.ready) }) { break }
                usleep(10_000)
            }
        }
    }

    /// Each user switch with its controller connection: "connected (OpenFlow 1.3)" or
    /// "not connected". Empty without a controller.
    public func controllerStatus() -> [(switch: String, connected: Bool, detail: String)] {
        guard let dp = lock.withLock({ datapath }), topology.controller != nil else { return [] }
        return dp.sync {
            dp.switches.map { sw in
                (sw.name, sw.ready, sw.version.map { "connected (\($0))" } ?? (sw.running ? "not connected" : "stopped"))
            }
        }
    }
}
