import ArgumentParser
import Foundation
import Swiftnet

/// `swiftnet run FILE.yaml`: build the file's network and hold it until Ctrl-C.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a YAML topology, run its experiment steps if any, and hold it until Ctrl-C (or open the shell with --shell); or compile and run a Swift topology script (FILE.swift [-- ARGS]).")

    @Argument(help: "The topology file (FILE.yaml), or a Swift script (FILE.swift, compiled once and cached; its arguments follow --).")
    var file: String

    @Flag(help: "Open the swiftnet> shell instead of holding the network until Ctrl-C.")
    var shell = false

    @OptionGroup var network: NetworkOptionGroup

    func run() throws {
        let topology = try network.validate(try loadTopologyFile(file))
        try network.preflight(topology)
        let session = Session(topology: topology, group: network)
        try session.build()
        if !topology.experiment.isEmpty {
            session.say("*** Running the experiment (\(topology.experiment.count) steps)")
            var index = 0
            let reports = session.net.runExperiment(isCancelled: { Interrupts.shared.interrupted }) { r in
                index += 1
                session.say(stepLine(r, index: index))
            }
            session.say("*** " + summaryLine(passed: reports.filter(\.passed).count, failed: reports.filter { !$0.passed }.count))
            if Interrupts.shared.interrupted {
                // Ctrl-C during the experiment stops the run, as it does a test.
                session.say("*** Interrupted: stopping the network")
                session.stop()
                throw ExitCode(130)
            }
        }
        var status: Int32 = 0
        if shell { status = session.shell() } else { session.hold() }
        session.stop()
        if status != 0 { throw ExitCode(status) }
    }
}
