import Foundation
import Glibc

/// The running networks of this machine that serve a control API: every state directory
/// `/run/swiftnet/<run>.<pid>.<n>/` with a `control/api.sock` whose process is alive.
public struct RunningNetwork: Sendable, Equatable {
    /// The run's name (`--name`, else the topology's).
    public var name: String
    public var pid: Int32
    /// `<run>.<pid>.<n>`, unique on the machine.
    public var id: String
    public var socket: String

    public var client: ControlClient { ControlClient(socketPath: socket) }

    /// Every live run, sorted by name then id.
    public static func all(in directory: String = RunRecord.directory) -> [RunningNetwork] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.compactMap { id -> RunningNetwork? in
            let parts = id.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]), Int(parts[parts.count - 1]) != nil else { return nil }
            let socket = "\(directory)/\(id)/control/api.sock"
            guard access(socket, F_OK) == 0, kill(pid, 0) == 0 || errno == EPERM else { return nil }
            return RunningNetwork(name: parts.dropLast(2).joined(separator: "."), pid: pid, id: id, socket: socket)
        }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// The one live run that `selector` names: its name, `<name>.<pid>` or its id.
    /// - Throws: `ControlError` (404 none, 409 several, with what to type instead).
    public static func find(_ selector: String, in directory: String = RunRecord.directory) throws -> RunningNetwork {
        let runs = all(in: directory)
        let matches = runs.filter { $0.id == selector || $0.name == selector || "\($0.name).\($0.pid)" == selector }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            let names = runs.map(\.name)
            throw ControlError(404, "no running network named '\(selector)'" + (names.isEmpty ? " (none is running)" : " (running: \(names.joined(separator: " ")))"))
        }
        throw ControlError(409, "\(matches.count) running networks are named '\(selector)': name one by its id (\(matches.map(\.id).joined(separator: ", "))) or start them with --name")
    }
}
