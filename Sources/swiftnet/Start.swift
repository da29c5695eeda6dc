import ArgumentParser
import Foundation
import Swiftnet

/// The default command: `swiftnet --topo NAME,ARGS [--test T]`, as Mininet's `mn`.
struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Build a topology, run a test, tear it down (the default command).")

    enum TestKind: String, ExpressibleByArgument, CaseIterable {
        case none, build, pingall, pingpair
    }

    @Option(help: "Topology: minimal, single,N, linear,K[,N], tree,depth=D,fanout=F, torus,X,Y.")
    var topo: String?

    @Option(help: "A YAML topology file (used when --topo is not given).")
    var custom: String?

    @Option(name: .customLong("switch"), help: "Switch kind for every switch: lxbr (Linux bridge, the default) or user (swiftnet's own userspace switch: a learning switch that also applies link delay, jitter, loss and bw itself).")
    var switchKind: String?

    @Option(help: "Controller: none (switches are Linux bridges).")
    var controller: String = "none"

    @Option(help: "Test to run: none, build, pingall, pingpair. Without it the swiftnet> shell starts (reading commands from stdin when it is not a terminal).")
    var test: TestKind?

    @OptionGroup var network: NetworkOptionGroup

    func run() throws {
        var kind: SwitchKind?
        if let switchKind {
            guard let k = SwitchKind(rawValue: switchKind) else {
                throw badInput("--switch \(switchKind) does not exist: use lxbr (Linux bridges) or user (swiftnet's userspace switch)")
            }
            kind = k
        }
        guard controller == "none" else {
            throw badInput("--controller \(controller) is not available: Linux bridges need no controller; use --controller none")
        }
        var spec: Topology
        if let topo {
            do { spec = try Topology.builtin(topo) } catch let e as TopologyError { throw badInput("--topo \(topo): \(e.message)") }
        } else if let custom {
            spec = try loadTopologyFile(custom)
        } else {
            spec = try Topology.builtin("minimal")
        }
        if let kind { for i in spec.switches.indices { spec.switches[i].kind = kind } }
        let topology = try network.validate(spec)
        try network.preflight(topology)
        let session = Session(topology: topology, group: network)
        try session.build()
        var failed = false
        var status: Int32 = 0
        switch test {
        case .none?, .build?:
            break
        case .pingall?:
            failed = !session.pingAll()
        case .pingpair?:
            failed = !session.pingAll(hosts: Array(topology.endHosts.prefix(2).map(\.name)))
        case nil:
            status = session.shell()
        }
        session.stop()
        if status != 0 { throw ExitCode(status) }
        if Interrupts.shared.interrupted { throw ExitCode(130) }
        if failed { throw ExitCode(1) }
    }
}
