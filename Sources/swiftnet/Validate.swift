import ArgumentParser
import Foundation
import Swiftnet

/// `swiftnet validate FILE.yaml`: check a topology file without building anything.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a YAML topology file; exit 2 with FILE:LINE: message when it is bad.")

    @Argument(help: "The topology file.")
    var file: String

    @Flag(help: "Check with Mininet's --mac addresses.")
    var mac = false

    func run() throws {
        let spec = try loadTopologyFile(file)
        let t: ValidatedTopology
        do { t = try spec.validated(autoMAC: mac) } catch let e as TopologyError { throw badInput(e.description) }
        printWarnings(t)
        print("\(file): ok: \(t.hosts.count) hosts, \(t.switches.count) switches, \(t.links.count) links"
              + (t.hasLoop ? (t.switches.contains(where: \.stp) ? " (loop: STP on)" : " (loop: left to the controller)") : "")
              + (t.experiment.isEmpty ? "" : ", \(t.experiment.count) experiment steps"))
    }
}

/// What validation corrected without refusing (kubelet's DNSConfigForming events, say),
/// one `swiftnet: warning:` line each on standard error.
func printWarnings(_ topology: ValidatedTopology) {
    for w in topology.warnings { FileHandle.standardError.write(Data("swiftnet: warning: \(w)\n".utf8)) }
}
