import CShims
import Dispatch
import Foundation
import Glibc

/// The outcome of a program run to completion inside a namespace.
public struct ProcessResult: Sendable {
    /// Exit status, or nil when a signal ended the program.
    public var exitStatus: Int32?
    /// The signal that ended the program, if any.
    public var signal: Int32?
    public var stdout: String
    public var stderr: String
    /// True when the timeout ran out and the program was killed.
    public var timedOut: Bool
    public var duration: Duration
    /// True when the caller cancelled the run (Ctrl-C) and the program was killed.
    public var cancelled = false

    /// Exited with status 0.
    public var succeeded: Bool { exitStatus == 0 }
}

/// The processes of one run, kept in a PID namespace of their own.
///
/// The namespace's init is forked from a thread that lives as long as the runtime; it
/// dies with that thread (PR_SET_PDEATHSIG), so with the run, even when swiftnet is
/// killed with SIGKILL, and the kernel then kills every process of the namespace,
/// grandchildren included. Stopping the runtime kills exactly these processes and no other.
public final class ProcessRuntime: @unchecked Sendable {
    /// The pid (as seen from swiftnet) of the namespace's init.
    public let initPID: pid_t
    /// O_CLOEXEC descriptor of the PID namespace.
    public let pidNamespaceFD: Int32
    private let release = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var background: [pid_t: String] = [:]
    private var stopped = false
    /// Where processes spawned in a network namespace go, by namespace descriptor.
    private var placements: [Int32: ProcessPlacement] = [:]

    /// Starts the PID namespace and its init.
    /// - Throws: `NamespaceError` when the namespace cannot be made (EPERM without CAP_SYS_ADMIN).
    public init() throws {
        let ready = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (pid_t, Int32) = (0, -1)
        let release = self.release
        let thread = Thread {
            var fd: Int32 = -1
            let pid = sn_pidns_start(&fd)
            result = (pid, fd)
            ready.signal()
            if pid > 0 { release.wait() }  // hold the thread: init lives while it does
        }
        thread.name = "swiftnet-pidns"
        thread.stackSize = 256 * 1024
        thread.start()
        ready.wait()
        if result.0 < 0 { throw NamespaceError("unshare(CLONE_NEWPID)", errno: -result.0) }
        initPID = result.0
        pidNamespaceFD = result.1
    }

    /// From now on, every process spawned in `netns` (any of `spawn`, `run`,
    /// `startBackground`, persistent shells) is placed as `placement` says before it execs.
    public func place(processesIn netns: Int32, _ placement: ProcessPlacement) {
        lock.withLock { placements[netns] = placement }
    }

    /// Spawns `argv` inside the network namespace `netns` and this runtime's PID namespace,
    /// in its own process group, and (with `privateMounts`) in a private mount namespace
    /// with a fresh /sys showing the host's interfaces. With `terminal`, the new process
    /// group becomes that terminal's foreground group (the caller takes it back).
    /// Equivalent to: `ip netns exec NS ARGV...` with stdio redirected.
    /// - Returns: the pid; the caller must reap it (see `wait(_:timeout:)`), unless the
    ///   process is registered as background with `track`.
    public func spawn(_ argv: [String], netns: Int32, stdin: Int32 = -1, stdout: Int32 = -1,
                      stderr: Int32 = -1, environment: [String: String]? = nil,
                      privateMounts: Bool = true, terminal: Int32? = nil, files: HostFiles? = nil,
                      extraDescriptors: (Int32, Int32)? = nil, controllingTerminal: Bool = false) throws -> pid_t {
        guard let program = argv.first else { throw NamespaceError("spawn: empty command", errno: EINVAL) }
        guard let path = Self.resolve(program) else { throw NamespaceError("\(program): command not found", errno: ENOENT) }
        lock.lock()
        let isStopped = stopped
        let placement = placements[netns]
        lock.unlock()
        if isStopped { throw NamespaceError("spawn \(program): the network is stopped", errno: ESRCH) }
        var env = environment ?? ProcessInfo.processInfo.environment
        if env["PATH"] == nil { env["PATH"] = Self.defaultPath }
        let envStrings = env.map { "\($0.key)=\($0.value)" }
        let pid = withCStrings(argv) { cargv in
            withCStrings(envStrings) { cenv in
                path.withCString { cpath in
                    var o = sn_spawn_options()
                    o.path = cpath
                    o.argv = cargv
                    o.envp = cenv
                    o.netns_fd = netns
                    o.pidns_fd = pidNamespaceFD
                    o.stdin_fd = stdin
                    o.stdout_fd = stdout
                    o.stderr_fd = stderr
                    o.private_mounts = privateMounts ? 1 : 0
                    o.new_process_group = 1
                    o.terminal_fd = terminal ?? -1
                    o.extra_fd3 = extraDescriptors?.0 ?? 0
                    o.extra_fd4 = extraDescriptors?.1 ?? 0
                    o.controlling_tty = controllingTerminal ? 1 : 0
                    o.realtime_priority = placement?.realtimePriority ?? 0
                    o.pin_cpu = placement?.cpu.map { $0 + 1 } ?? 0
                    return withOptionalCString(placement?.cgroupProcs) { cgroup in
                        o.cgroup_procs = cgroup
                        return withOptionalCString(privateMounts ? files?.resolvConf : nil) { resolv in
                            withOptionalCString(privateMounts ? files?.hosts : nil) { hosts in
                                withOptionalCString(privateMounts ? files?.hostname : nil) { hostname in
                                    withOptionalCString(privateMounts ? files?.privateTmpfs : nil) { tmpfs in
                                        withOptionalCString(privateMounts ? files?.extraBind?.source : nil) { bindSource in
                                            withOptionalCString(privateMounts ? files?.extraBind?.target : nil) { bindTarget in
                                                o.bind_resolv = resolv
                                                o.bind_hosts = hosts
                                                o.hostname = hostname
                                                o.tmpfs_path = tmpfs
                                                o.extra_bind_source = bindSource
                                                o.extra_bind_target = bindTarget
                                                return sn_spawn(&o)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if pid < 0 { throw NamespaceError("cannot run \(program)", errno: -pid) }
        return pid
    }

    /// Runs `argv` to completion inside `netns`, capturing its output.
    /// - Parameters:
    ///   - timeout: the process group is killed with SIGKILL when it runs out.
    ///   - privateMounts: see `spawn`; a program that needs nothing of /sys or /etc
    ///     starts about twice as fast without.
    ///   - isCancelled: checked at least every 100 ms; when it returns true the process
    ///     group is killed with SIGKILL and the result says `cancelled`.
    ///   - onOutput: when given, gets the output as it comes (stream 1 for stdout, 2 for
    ///     stderr) instead of the result collecting it.
    public func run(_ argv: [String], netns: Int32, timeout: Duration? = nil,
                    privateMounts: Bool = true, files: HostFiles? = nil,
                    isCancelled: () -> Bool = { false },
                    onOutput: ((Int, ArraySlice<UInt8>) -> Void)? = nil) throws -> ProcessResult {
        let start = ContinuousClock.now
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard sn_pipe_cloexec(&outPipe) == 0 else { throw NamespaceError("pipe", errno: errno) }
        guard sn_pipe_cloexec(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw NamespaceError("pipe", errno: errno)
        }
        let pid: pid_t
        do {
            pid = try spawn(argv, netns: netns, stdout: outPipe[1], stderr: errPipe[1], privateMounts: privateMounts, files: files)
        } catch {
            for fd in outPipe + errPipe { close(fd) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        defer { close(outPipe[0]); close(errPipe[0]) }
        let deadline = timeout.map { start + $0 }
        var out: [UInt8] = []
        var err: [UInt8] = []
        var open = [true, true]
        var timedOut = false
        var cancelled = false
        var status: Int32 = 0
        var exited = false
        var buf = [UInt8](repeating: 0, count: 16384)
        while !exited {
            var fds: [pollfd] = []
            if open[0] { fds.append(pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0)) }
            if open[1] { fds.append(pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)) }
            var waitMS: Int32 = open[0] || open[1] ? 100 : 5
            if let deadline {
                let left = deadline - ContinuousClock.now
                let ms = Int32(max(0, min(Double(waitMS), left.seconds * 1000)))
                waitMS = ms
            }
            if !fds.isEmpty {
                let n = poll(&fds, nfds_t(fds.count), waitMS)
                if n > 0 {
                    for p in fds where p.revents != 0 {
                        let r = read(p.fd, &buf, buf.count)
                        let which = p.fd == outPipe[0] ? 0 : 1
                        if r > 0 {
                            if let onOutput { onOutput(which + 1, buf[0..<r]) } else if which == 0 { out += buf[0..<r] } else { err += buf[0..<r] }
                        } else if r == 0 || (errno != EINTR && errno != EAGAIN) {
                            open[which] = false
                        }
                    }
                }
            } else {
                usleep(UInt32(waitMS) * 1000)
            }
            let w = waitpid(pid, &status, WNOHANG)
            if w == pid {
                exited = true
                // Drain what is still buffered without waiting for writers that may linger.
                for (i, fd) in [outPipe[0], errPipe[0]].enumerated() where open[i] {
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                    while true {
                        let r = read(fd, &buf, buf.count)
                        if r <= 0 { break }
                        if let onOutput { onOutput(i + 1, buf[0..<r]) } else if i == 0 { out += buf[0..<r] } else { err += buf[0..<r] }
                    }
                }
            } else if let deadline, ContinuousClock.now >= deadline, !timedOut, !cancelled {
                timedOut = true
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
            } else if !timedOut, !cancelled, isCancelled() {
                cancelled = true
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
            }
        }
        let exitStatus: Int32? = (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil
        let sig: Int32? = (status & 0x7f) != 0 ? status & 0x7f : nil
        return ProcessResult(exitStatus: exitStatus, signal: sig,
                             stdout: String(decoding: out, as: UTF8.self),
                             stderr: String(decoding: err, as: UTF8.self),
                             timedOut: timedOut, duration: ContinuousClock.now - start, cancelled: cancelled)
    }

    /// Starts `argv` in the background inside `netns`; it is killed when the runtime stops.
    /// - Parameter output: a file to receive stdout and stderr, or nil for /dev/null.
    public func startBackground(_ argv: [String], netns: Int32, output: String? = nil, files: HostFiles? = nil) throws -> pid_t {
        var fd: Int32 = -1
        if let output {
            fd = open(output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if fd < 0 { throw NamespaceError("open \(output)", errno: errno) }
        }
        defer { if fd >= 0 { close(fd) } }
        let pid = try spawn(argv, netns: netns, stdout: fd, stderr: fd, files: files)
        lock.lock()
        background[pid] = argv.joined(separator: " ")
        lock.unlock()
        return pid
    }

    /// Registers a process started with `spawn` as background: `stop()` reaps it, and
    /// `stopBackground` or `reap` end it.
    public func adopt(_ pid: pid_t, _ description: String) {
        lock.lock()
        background[pid] = description
        lock.unlock()
    }

    /// Reaps a background process that has exited (nil while it runs) and forgets it.
    /// - Returns: the wait status, as `waitpid` gives it.
    public func reap(_ pid: pid_t) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        guard background[pid] != nil else { return nil }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        background.removeValue(forKey: pid)
        return status
    }

    /// Kills a background process (and its process group) and reaps it.
    public func stopBackground(_ pid: pid_t) {
        lock.lock()
        let known = background.removeValue(forKey: pid) != nil
        lock.unlock()
        guard known else { return }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// The background processes still registered, by pid.
    public var backgroundProcesses: [pid_t: String] {
        lock.lock(); defer { lock.unlock() }
        return background
    }

    /// Kills every process of the run (the PID namespace's init, and with it the rest)
    /// and reaps them. Safe to call twice.
    public func stop() {
        lock.lock()
        if stopped { lock.unlock(); return }
        stopped = true
        let pids = Array(background.keys)
        background.removeAll()
        lock.unlock()
        kill(initPID, SIGKILL)
        // The dying init waits until every process of its namespace has been reaped, and
        // the run's processes are our children: reap them first, then the init.
        var status: Int32 = 0
        for pid in pids { _ = waitpid(pid, &status, 0) }
        let deadline = ContinuousClock.now + .seconds(10)
        while waitpid(initPID, &status, WNOHANG) == 0 && ContinuousClock.now < deadline {
            usleep(1000)
        }
        close(pidNamespaceFD)
        release.signal()
    }

    deinit { stop() }

    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Finds a program the way a shell would, with the sbin directories always searched.
    public static func resolve(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":" + defaultPath
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    ptrs.append(nil)
    defer { for p in ptrs { free(p) } }
    return ptrs.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// A bind mount: `source` shown at `target`.
public struct BindMount: Sendable, Hashable {
    public var source: String
    public var target: String
    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }
}

/// A host's own resolver files, bind-mounted over `/etc/resolv.conf` and `/etc/hosts`
/// in the private mount namespace of each program started in the host (as
/// `ip netns exec` does with `/etc/netns/NAME/`). The machine's files are never touched.
public struct HostFiles: Sendable, Hashable {
    public var resolvConf: String?
    public var hosts: String?
    /// The host name programs see (`hostname`, gethostname()): the node's name, in a UTS
    /// namespace of the program's own, as container runtimes give each container its name.
    public var hostname: String?
    /// A directory that gets an empty private tmpfs, for programs that would leave files
    /// there on the machine. A missing directory is made in the program's own mount
    /// namespace only (over a private tmpfs on its parent, which shows the parent's
    /// entries bound back in place), never on the machine.
    public var privateTmpfs: String?
    /// One more directory bind-mounted over another (a router's FRR directory over
    /// /var/run/frr, so that `vtysh` inside the router finds its daemons). A missing
    /// target is made as for `privateTmpfs`.
    public var extraBind: BindMount?
    public init(resolvConf: String?, hosts: String?, hostname: String? = nil, privateTmpfs: String? = nil) {
        self.resolvConf = resolvConf
        self.hosts = hosts
        self.hostname = hostname
        self.privateTmpfs = privateTmpfs
    }
}

func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}
