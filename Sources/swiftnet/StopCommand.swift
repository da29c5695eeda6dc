import ArgumentParser
import Foundation
import Swiftnet

/// `swiftnet stop RUN`: asks a running network to stop, as Ctrl-C in its terminal would,
/// and waits (up to `--wait` seconds) until it is gone.
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop a running network (its own process tears it down) and wait until it is gone.")

    @Argument(help: ArgumentHelp("The run (its name, NAME.PID, or its id from `swiftnet ls`).", valueName: "run"))
    var runName: String

    @Option(help: "Seconds to wait for the run to end.")
    var wait: Double = 30

    func run() throws {
        let target = try remoteRun(runName)
        _ = try remoteCall(target, "POST", "/v1/stop", [String: Bool].self)
        let deadline = Date().addingTimeInterval(wait)
        while access(target.socket, F_OK) == 0 && Date() < deadline { usleep(50_000) }
        if access(target.socket, F_OK) == 0 {
            throw badInput("\(target.name) was asked to stop and still runs after \(wait) s (pid \(target.pid))")
        }
        print("*** Stopped \(target.name) (\(target.id))")
    }
}
