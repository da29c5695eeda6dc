import ArgumentParser
import Foundation
import Swiftnet

/// `swiftnet run FILE.yaml`: build the file's network and hold it until Ctrl-C.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a YAML topology and hold it until Ctrl-C.")

    @Argument(help: "The topology file.")
    var file: String

    @OptionGroup var network: NetworkOptionGroup

    func run() throws {
        let topology = try network.validate(try loadTopologyFile(file))
        try network.requirePrivileges()
        let session = Session(topology: topology, group: network)
        try session.build()
        session.hold()
        session.stop()
    }
}
