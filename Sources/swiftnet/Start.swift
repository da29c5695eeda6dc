import ArgumentParser
import Foundation
import OpenFlow
import Swiftnet

/// The default command: `swiftnet --topo NAME,ARGS [--test T]`, as Mininet's `mn`.
struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Build a topology, run a test, tear it down (the default command).")

    /// Mininet's `--test` values; any other name is a test a `--custom` Python file defines.
    enum TestKind: String, CaseIterable {
        case none, build, pingall, pingpair, iperf, iperfudp, all
    }

    @Option(help: "Topology: minimal, single,N, linear,K[,N], tree,depth=D,fanout=F, torus,X,Y.")
    var topo: String?

    @Option(help: "Custom files, comma-separated: Mininet Python files whose topos = {...} --topo names and whose tests = {...} --test names; a Swift script whose topology --topo NAME,ARGS names; or a YAML topology file (used when --topo is not given).")
    var custom: String?

    @Option(name: .customLong("switch"), help: "Switch kind for every switch: lxbr (Linux bridge, the default) or user[,protocols=OpenFlow13,failmode=secure|standalone,dpid=HEX] (swiftnet's own userspace OpenFlow switch: a learning switch without a controller; it also applies link delay, jitter, loss and bw itself).")
    var switchKind: String?

    @Option(help: "OpenFlow controller for user switches: none, or remote[,ip=127.0.0.1][,port=6653].")
    var controller: String = "none"

    @Option(name: .customLong("test"), help: "Test to run, as Mininet's: none, build, pingall, pingpair, iperf (TCP between the first and last host), iperfudp (UDP at 10 Mbit/s), all (pingall, then iperf), or a test of a --custom Python file (NAME[,ARGS]). Without it the swiftnet> shell starts (reading commands from stdin when it is not a terminal).")
    var testName: String?

    var test: TestKind? { testName.flatMap { TestKind(rawValue: $0) } }

    @Flag(name: [.customShort("w"), .long], help: "Wait for user switches to connect to the controller before the test or the shell (Mininet's -w; swiftnet always waits, up to 5 s).")
    var wait = false

    @Flag(help: "Accepted for Mininet's sake: every swiftnet host and switch is in a namespace of its own.")
    var innamespace = false

    @Option(help: "Accepted for Mininet's sake: swiftnet's user switches are reached with the shell's dpctl, not on a listening port.")
    var listenport: Int?

    @Flag(help: "Accepted for Mininet's sake (swiftnet's switches have no listening port).")
    var nolistenport = false

    @Flag(name: [.customShort("x"), .long], help: "Not available: swiftnet opens no xterms (no display); use the shell's NODE CMD, or swiftnet exec RUN NODE -- bash from another terminal.")
    var xterms = false

    @Flag(help: "Not available: emulated hosts never reach the machine's own network.")
    var nat = false

    @Option(help: "Not available: swiftnet runs on one machine.")
    var cluster: String?

    @Flag(help: "Print swiftnet's version and exit.")
    var version = false

    @Flag(name: [.customShort("c"), .long], help: "Remove what crashed runs left and exit, as `swiftnet clean` (Mininet's mn -c, but only what swiftnet recorded).")
    var clean = false

    @Option(help: "A file of shell commands (as the shell's source reads) to run once the network is built, before the test or the shell.")
    var pre: String?

    @Option(help: "A file of shell commands to run after the test or the shell, before the network stops.")
    var post: String?

    func validate() throws {
        if xterms { throw ValidationError("-x/--xterms: swiftnet opens no xterms (there is no display); run commands with NODE CMD in the shell, or `swiftnet exec RUN NODE -- bash` from another terminal") }
        if nat { throw ValidationError("--nat: emulated hosts have no route or NAT to the machine's real network, by design; connect what they need inside the topology") }
        if cluster != nil { throw ValidationError("--cluster: swiftnet runs a network on one machine only") }
    }

    @OptionGroup var network: NetworkOptionGroup

    func run() throws {
        if version {
            print("swiftnet \(swiftnetRelease)")
            return
        }
        if clean { return try Clean().run() }
        for (option, path) in [("--pre", pre), ("--post", post)] {
            if let path, access(path, R_OK) != 0 {
                throw badInput("\(option) \(path): cannot read the file: \(String(cString: strerror(errno)))")
            }
        }
        let customs = try CustomFiles(custom)
        if let testName, test == nil {
            // A test a custom Python file defines runs there, on the network it builds.
            let name = String(testName.prefix { $0 != "," })
            guard customs.pythonTests.contains(name) else {
                throw badInput("--test \(testName): give none, build, pingall, pingpair, iperf, iperfudp, all, or a test a --custom Python file defines")
            }
            let status = try customs.runPythonTest(testName, topo: topo, link: network.link)
            if status != 0 { throw ExitCode(status) }
            return
        }
        var spec = try customs.topology(topo: topo, link: network.link)
        var notes: [String] = []
        if let switchKind {
            let mapped = MininetNames.switchOption(switchKind)
            if let n = mapped.note { notes.append(n) }
            do { try spec.applySwitchOption(mapped.option) } catch { throw badInput("--switch \(switchKind): \(error.message)") }
        }
        let mappedController = MininetNames.controllerOption(controller)
        if let n = mappedController.note { notes.append(n) }
        do {
            // --controller none is the default: a file's own controller stays.
            if let c = try ControllerSpec.parse(option: mappedController.option) { spec.controller = c }
        } catch let e as TopologyError {
            throw badInput("--controller \(controller): \(e.message)")
        }
        let topology = try network.validate(spec)
        if network.level <= .info { for n in notes + network.linkNotes { print(n) } }
        try network.preflight(topology)
        let session = Session(topology: topology, group: network)
        try session.build()
        if let pre { session.script(pre) }
        var failed = false
        var status: Int32 = 0
        switch test {
        case .none?, .build?:
            break
        case .pingall?:
            failed = !session.pingAll()
        case .pingpair?:
            failed = !session.pingAll(hosts: Array(topology.endHosts.prefix(2).map(\.name)))
        case .iperf?:
            failed = !session.run(["iperf"])
        case .iperfudp?:
            failed = !session.run(["iperfudp 10M"])
        case .all?:
            failed = !session.pingAll()
            if !Interrupts.shared.interrupted { failed = !session.run(["iperf"]) || failed }
        case nil:
            status = session.shell()
        }
        if let post, !Interrupts.shared.interrupted { session.script(post) }
        if Interrupts.shared.interrupted { session.say("*** Interrupted: stopping the network") }
        session.stop()
        if status != 0 { throw ExitCode(status) }
        if Interrupts.shared.interrupted { throw ExitCode(130) }
        if failed { throw ExitCode(1) }
    }
}
