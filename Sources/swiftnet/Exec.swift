import ArgumentParser
import Foundation
import Swiftnet

/// `swiftnet exec RUN NODE -- CMD...`: runs a command in a node of a running network,
/// from any terminal, as `containerlab exec` and `ip netns exec` do.
struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command in a node of a running network; its output streams here and its exit status is ours.",
        discussion: """
            Example: sudo swiftnet exec tree h1 -- ping -c1 h4
            One argument after -- is a shell command line (sh -c): swiftnet exec tree h1 -- 'ip addr | grep inet'
            With --shell it runs in the node's persistent bash, as the swiftnet shell's `h1 CMD` does: \
            swiftnet exec --shell tree h1 -- cd /tmp, then swiftnet exec --shell tree h1 -- pwd prints /tmp.
            """)

    @Argument(help: ArgumentHelp("The run (its name, NAME.PID, or its id from `swiftnet ls`).", valueName: "run"))
    var runName: String

    @Argument(help: "The node to run in.")
    var node: String

    @Argument(parsing: .postTerminator, help: "The command and its arguments.")
    var command: [String] = []

    @Option(help: "Kill the command after this many seconds.")
    var timeout: Double?

    @Flag(help: "Run the command line in the node's persistent shell (its directory, variables and jobs stay).")
    var shell = false

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command after --, such as: swiftnet exec RUN h1 -- ping -c1 h2") }
    }

    func run() throws {
        let target = try remoteRun(runName)
        let request = shell
            ? ControlExecRequest(shell: command.joined(separator: " "), timeout: timeout, stream: true)
            : command.count == 1
            ? ControlExecRequest(cmd: command[0], timeout: timeout, stream: true)
            : ControlExecRequest(argv: command, timeout: timeout, stream: true)
        let result = ExecOutcome()
        let response: ControlClient.Response
        do {
            response = try target.client.request("POST", "/v1/nodes/\(pathSegment(node))/exec", json: ControlJSON.encode(request)) { line in
                result.take(line)
            }
        } catch {
            throw badInput("\(target.name): cannot reach its control socket \(target.socket): \(error) (only root can; try sudo)")
        }
        guard response.status == 200 else { throw badInput("\(target.name): \(ControlClient.error(from: response).error)") }
        guard let done = result.done else { throw ExitCode(1) }
        if done.timedOut { FileHandle.standardError.write(Data("swiftnet: \(node): killed after \(timeout ?? 0) s\n".utf8)) }
        if let s = done.signal { throw ExitCode(128 + s) }
        throw ExitCode(done.exit ?? 1)
    }
}

/// Writes a streamed command's output as it comes and keeps its result.
final class ExecOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var done: ControlExecResult?

    func take(_ line: [UInt8]) {
        let decoder = ControlJSON.decoder()
        if let chunk = try? decoder.decode(ControlExecChunk.self, from: Data(line)), chunk.stdout != nil || chunk.stderr != nil {
            if let o = chunk.stdout { FileHandle.standardOutput.write(Data(o.utf8)) }
            if let e = chunk.stderr { FileHandle.standardError.write(Data(e.utf8)) }
        } else if let r = try? decoder.decode(ControlExecResult.self, from: Data(line)) {
            if let e = r.stderr { FileHandle.standardError.write(Data(e.utf8)) }
            lock.lock()
            done = r
            lock.unlock()
        }
    }
}
