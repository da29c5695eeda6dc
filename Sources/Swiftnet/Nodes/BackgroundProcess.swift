import Foundation
import Glibc
import Namespaces

/// A program started in the background inside a node (`Node.start`): wait for it, stop
/// it, read what it wrote. The network's stop ends it if nothing else has.
public final class BackgroundProcess: @unchecked Sendable {
    public let node: String
    public let command: [String]
    /// Its pid as seen from swiftnet (for messages; signal it through `stop`).
    public let pid: pid_t
    /// The file that receives its stdout and stderr (in the run's state directory).
    public let outputPath: String
    private let runtime: ProcessRuntime
    private let lock = NSLock()
    private var status: Int32?

    init(node: String, command: [String], pid: pid_t, outputPath: String, runtime: ProcessRuntime) {
        self.node = node
        self.command = command
        self.pid = pid
        self.outputPath = outputPath
        self.runtime = runtime
    }

    /// The exit status once it has ended (128+N for signal N), nil while it runs.
    public var exitStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if status == nil, let s = runtime.reap(pid) { status = Self.decode(s) }
        if status == nil, !runtime.backgroundProcesses.keys.contains(pid) { status = 128 + SIGKILL }
        return status
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Waits until it ends, or until `timeout` (then nil), checking `isCancelled` every
    /// 10 ms (cancelled: nil).
    @discardableResult
    public func wait(timeout: Duration? = nil, isCancelled: () -> Bool = { false }) -> Int32? {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            if let s = exitStatus { return s }
            if let deadline, ContinuousClock.now >= deadline { return nil }
            if isCancelled() { return nil }
            usleep(10_000)
        }
    }

    /// Ends it: SIGTERM to its process group, SIGKILL after `grace`. Returns its status.
    @discardableResult
    public func stop(grace: Duration = .seconds(1)) -> Int32 {
        if let s = exitStatus { return s }
        kill(-pid, SIGTERM)
        kill(pid, SIGTERM)
        if let s = wait(timeout: grace) { return s }
        runtime.stopBackground(pid)
        lock.withLock { status = status ?? 128 + SIGKILL }
        return exitStatus ?? 128 + SIGKILL
    }

    /// What it has written so far (stdout and stderr together).
    public var output: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    static func decode(_ s: Int32) -> Int32 {
        (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f)
    }
}
