import Foundation
import Glibc
import Namespaces

/// The run's state directory and its janitor.
///
/// Files live in `/run/swiftnet/<run>.<pid>.<n>/` (a tmpfs): every host's resolv.conf and
/// hosts files, servers' logs and configuration, the control socket. The directory is
/// made on first use; a janitor process removes it (and everything else registered with
/// it, such as `/run/netns` bind mounts) when the run ends, even by SIGKILL. `swiftnet
/// clean` removes what a dead run left if the janitor died too (the `owner` file names
/// the process).
final class StateService: NetworkService, @unchecked Sendable {
    let name = "state"
    let dependencies: [String] = []
    private let runName: String
    private let lock = NSLock()
    private var janitor: Janitor?
    private var directoryPath: String?
    private var stopped = false

    init(runName: String) {
        self.runName = runName
    }

    /// Nothing is made at start: a run that writes no file has no directory.
    func start(_ net: Network) throws {}

    /// Lets the janitor undo everything now, and waits for it.
    func stop() {
        lock.lock()
        let j = janitor
        janitor = nil
        directoryPath = nil
        stopped = true
        lock.unlock()
        j?.finish()
    }

    func status() -> ServiceStatus {
        lock.withLock {
            ServiceStatus(name: name, state: stopped ? .stopped : directoryPath == nil ? .idle : .running,
                          detail: directoryPath ?? "no state directory yet")
        }
    }

    /// The janitor of the run, started on first use.
    func janitorProcess() throws -> Janitor {
        lock.lock()
        defer { lock.unlock() }
        return try janitorLocked()
    }

    private func janitorLocked() throws -> Janitor {
        if let j = janitor { return j }
        if stopped { throw NetworkError("the network is not running") }
        let j = try Janitor()
        janitor = j
        return j
    }

    /// The state directory, made on first use.
    func directory() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        return try directoryLocked()
    }

    private func directoryLocked() throws -> String {
        if let d = directoryPath { return d }
        let j = try janitorLocked()
        let n = Network.stateCounter.next()
        let dir = "\(RunRecord.directory)/\(runName).\(getpid()).\(n)"
        // The whole directory, not only the files registered one by one: a file being
        // written when swiftnet is killed (a temporary of an atomic write) goes too.
        // The name holds our pid and a counter, so it is this run's alone.
        do {
            try RunRecord.makeEntry(janitor: j, registering: .removeTree(dir)) { mkdir(dir, 0o755) == 0 ? 0 : errno }
        } catch {
            throw NetworkError("cannot create the run's state directory \(dir): \(error)")
        }
        directoryPath = dir
        let pid = getpid()
        try writeLocked("owner", "pid \(pid) start \(RunRecord.processStartTime(pid) ?? 0)\n")
        return dir
    }

    /// Writes a file into the state directory (registered with the janitor first).
    @discardableResult
    func write(_ file: String, _ text: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        return try writeLocked(file, text)
    }

    private func writeLocked(_ file: String, _ text: String) throws -> String {
        let dir = try directoryLocked()
        let path = "\(dir)/\(file)"
        try janitorLocked().register(.removeFile(path))
        // Written in place, not by rename of a temporary: only registered names appear.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw NetworkError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw NetworkError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return path
    }

    /// Registers a file that a program of the run will create in the state directory.
    func path(_ file: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let path = "\(try directoryLocked())/\(file)"
        try janitorLocked().register(.removeFile(path))
        return path
    }

    /// Makes a directory in the state directory, removed with its contents at the end.
    func subdirectory(_ name: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let dir = "\(try directoryLocked())/\(name)"
        try janitorLocked().register(.removeTree(dir))
        if mkdir(dir, 0o755) != 0 && errno != EEXIST {
            throw NetworkError("cannot create \(dir): \(String(cString: strerror(errno)))")
        }
        return dir
    }

    /// The directory if it has been made, without making it.
    var existingDirectory: String? { lock.withLock { directoryPath } }
}
