import ArgumentParser
import Foundation
import Swiftnet

/// `swiftnet link RUN A B up|down|bw=...`: the shell's `link` for a running network.
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Set a link of a running network up or down, or reshape it (bw=, delay=, jitter=, loss=, max_queue=).",
        discussion: "Examples: sudo swiftnet link tree s1 s2 down;  sudo swiftnet link tree h1 s1 bw=10 delay=5ms")

    @Argument(help: ArgumentHelp("The run (its name, NAME.PID, or its id from `swiftnet ls`).", valueName: "run"))
    var runName: String

    @Argument(help: "One end of the link.")
    var a: String

    @Argument(help: "The other end.")
    var b: String

    @Argument(help: "up, down, or shaping parameters such as bw=10 delay=5ms.")
    var change: [String]

    func validate() throws {
        if change.isEmpty { throw ValidationError("say what to change: up, down, or parameters such as bw=10 delay=5ms") }
        if change.count > 1 && change.contains(where: { $0 == "up" || $0 == "down" }) {
            throw ValidationError("give up or down alone, or shaping parameters, not both")
        }
    }

    func run() throws {
        let target = try remoteRun(runName)
        let body = change == ["up"] || change == ["down"]
            ? ControlLinkRequest(state: change[0]) : ControlLinkRequest(set: change.joined(separator: " "))
        _ = try remoteCall(target, "POST", "/v1/links/\(pathSegment(a))/\(pathSegment(b))", [String: Bool].self, body: body)
    }
}
