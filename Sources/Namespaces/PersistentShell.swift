import CShims
import Foundation
import Glibc

/// What one command of a persistent shell gave.
public struct ShellResult: Sendable, Equatable {
    /// Its output, standard output and standard error together, as on a terminal.
    public var output: String
    /// `$?` after it: 0 for success, 128+N when a signal N ended it. When the command
    /// ended the shell itself (`exit 3`), the shell's exit status.
    public var status: Int32
    /// The command ended the shell (`exit`); the next command gets a new one.
    public var shellExited: Bool
    /// Ended by `isCancelled` or the timeout.
    public var cancelled: Bool
    public var timedOut: Bool
}

/// A bash that lives as long as its node and runs command after command in the same
/// process, as Mininet's `host.cmd` does: the working directory, variables, functions
/// and `&` jobs carry over from one command to the next.
///
/// The shell runs on a pseudo-terminal of its own (so programs see a terminal, and
/// Ctrl-C reaches the command that runs), without job control, as Mininet's (`set +m`):
/// the shell survives Ctrl-C (it traps SIGINT) and `&` jobs ignore it, as background
/// jobs of a shell without job control do. Commands do not travel over
/// the terminal: each is written NUL-terminated to descriptor 3 (after a byte that says
/// whether it reads the terminal or /dev/null) and run with `eval`, so
/// a syntax error is the command's error (status 2), not the shell's, and no line length
/// limit applies. After each command the shell writes a marker to the terminal (the end
/// of the output) and the status to descriptor 4.
///
/// One command at a time: concurrent callers wait their turn.
public final class PersistentShell: @unchecked Sendable {
    /// Equivalent to: `bash --norc --noprofile`, reading commands from descriptor 3.
    static let loop = #"""
    trap : INT
    while IFS= read -r -d '' -u 3 __sn_cmd; do
        if [[ $__sn_cmd == T* ]]; then
            eval "${__sn_cmd:1}"
        else
            eval "${__sn_cmd:1}" < /dev/null
        fi
        __sn_status=$?
        printf '\036%s\036' "$__SN_MARK"
        printf '%d\n' "$__sn_status" >&4
    done
    """#

    public let pid: pid_t
    private let master: Int32
    private let commandFD: Int32
    private let statusFD: Int32
    private let marker: [UInt8]
    private let runtime: ProcessRuntime
    /// Held while a command runs.
    private let turn = NSLock()
    /// Guards `closed` and `exited`.
    private let lock = NSLock()
    private var closed = false
    private var exited = false
    /// Output that came after a command's marker (a background job's): the next
    /// command's output starts with it.
    private var carry: [UInt8] = []

    /// Starts a bash inside `netns` (with the node's files, as every program of the node).
    public init(runtime: ProcessRuntime, netns: Int32, files: HostFiles?, environment: [String: String]? = nil) throws {
        var slave: Int32 = -1
        let m = sn_pty_open(&slave)
        guard m >= 0 else { throw NamespaceError("cannot open a pseudo-terminal", errno: -m) }
        var pipes: [Int32] = []
        func fail(_ what: String) -> NamespaceError {
            let e = NamespaceError(what, errno: errno)
            Glibc.close(m)
            Glibc.close(slave)
            for fd in pipes { Glibc.close(fd) }
            return e
        }
        // A socket, not a pipe, for the commands: a write to a shell that has gone fails
        // (MSG_NOSIGNAL) instead of raising SIGPIPE in swiftnet.
        var cmd: [Int32] = [-1, -1]
        var status: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &cmd) == 0 else { throw fail("socketpair") }
        pipes += cmd
        guard sn_pipe_cloexec(&status) == 0 else { throw fail("pipe") }
        pipes += status
        var mark: [UInt8] = [0x1e]
        for _ in 0..<16 { mark.append(Array("0123456789abcdef".utf8)[Int.random(in: 0..<16)]) }
        mark.append(0x1e)
        var env = environment ?? ProcessInfo.processInfo.environment
        env["__SN_MARK"] = String(decoding: mark[1..<(mark.count - 1)], as: UTF8.self)
        if env["TERM"] == nil { env["TERM"] = "dumb" }
        let pid: pid_t
        do {
            pid = try runtime.spawn(["bash", "--norc", "--noprofile", "-c", Self.loop], netns: netns,
                                    stdin: slave, stdout: slave, stderr: slave, environment: env, files: files,
                                    extraDescriptors: (cmd[0], status[1]), controllingTerminal: true)
        } catch {
            Glibc.close(m); Glibc.close(slave)
            for fd in pipes { Glibc.close(fd) }
            throw error
        }
        Glibc.close(slave)
        Glibc.close(cmd[0])
        Glibc.close(status[1])
        runtime.adopt(pid, "bash (persistent shell)")
        shutdown(cmd[1], Int32(SHUT_RD))
        self.pid = pid
        self.master = m
        self.commandFD = cmd[1]
        self.statusFD = status[0]
        self.marker = mark
        self.runtime = runtime
    }

    /// True until the shell has exited (`exit`, killed) or been closed.
    public var isAlive: Bool {
        lock.withLock { !closed && !exited }
    }

    /// Runs one command line.
    /// - Parameters:
    ///   - timeout: the command is interrupted (SIGINT, then SIGKILL) when it runs out.
    ///   - isCancelled: checked at least every 100 ms; when true the command is
    ///     interrupted the same way.
    ///   - input: a descriptor whose bytes are passed to the command's terminal as they
    ///     come (the swiftnet shell's own stdin); end of file there is Ctrl-D. Without
    ///     it the command's standard input is /dev/null. Input is taken only once the
    ///     command has run for half a second: what is typed ahead of a quick command
    ///     stays for the next reader (the swiftnet shell's prompt), as in any shell.
    ///   - onOutput: gets the output as it comes instead of the result collecting it.
    public func run(_ command: String, timeout: Duration? = nil, isCancelled: () -> Bool = { false },
                    input: Int32? = nil, onOutput: ((ArraySlice<UInt8>) -> Void)? = nil) throws -> ShellResult {
        turn.lock()
        defer { turn.unlock() }
        guard isAlive else { throw NamespaceError("the shell has exited", errno: ESRCH) }
        // Without input to pass on, the command reads /dev/null, as a program in a
        // script would: one that reads its input must not wait for a terminal nobody types at.
        let text = Array((input != nil ? "T" : "N").utf8) + Array(command.utf8.filter { $0 != 0 }) + [0]
        guard sendAll(commandFD, text) else {
            markExited()
            throw NamespaceError("the shell has exited", errno: EPIPE)
        }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var out: [UInt8] = []
        var pending: [UInt8] = []   // output that might be the start of the marker
        var buf = [UInt8](repeating: 0, count: 16384)
        var inputOpen = input != nil
        let inputFrom = ContinuousClock.now + .milliseconds(500)
        var interruptedAt: ContinuousClock.Instant?
        var killed = false
        var cancelled = false
        var timedOut = false
        var sawMarker = false
        var shellGone = false

        func emit(_ bytes: ArraySlice<UInt8>) {
            guard !bytes.isEmpty else { return }
            if let onOutput { onOutput(bytes) } else { out += bytes }
        }
        // Passes output on, holding back a tail that may be the beginning of the marker.
        func take(_ bytes: ArraySlice<UInt8>) {
            pending += bytes
            if let r = find(marker, in: pending) {
                emit(pending[..<r])
                carry = Array(pending[(r + marker.count)...])
                pending.removeAll()
                sawMarker = true
                return
            }
            let keep = longestMarkerPrefixSuffix(pending)
            emit(pending[..<(pending.count - keep)])
            pending.removeFirst(pending.count - keep)
        }

        let early = carry
        carry.removeAll()
        emit(early[...])
        while !sawMarker {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
            if inputOpen, let input, ContinuousClock.now >= inputFrom { fds.append(pollfd(fd: input, events: Int16(POLLIN), revents: 0)) }
            let n = poll(&fds, nfds_t(fds.count), 100)
            if n > 0 {
                if fds[0].revents != 0 {
                    let r = read(master, &buf, buf.count)
                    if r > 0 {
                        take(buf[0..<r])
                    } else if r == 0 || (errno != EINTR && errno != EAGAIN) {
                        // EIO: every holder of the terminal has gone (the shell exited).
                        shellGone = true
                        break
                    }
                }
                if fds.count > 1, fds[1].revents != 0, let input {
                    let r = read(input, &buf, buf.count)
                    if r > 0 {
                        _ = writeAll(master, Array(buf[0..<r]))
                    } else if r == 0 || (errno != EINTR && errno != EAGAIN) {
                        inputOpen = false
                        // VEOF, Ctrl-D: the end of the command's input.
                        var eof: UInt8 = 4
                        _ = write(master, &eof, 1)
                    }
                }
            }
            let now = ContinuousClock.now
            if interruptedAt == nil {
                if let deadline, now >= deadline {
                    timedOut = true
                } else if isCancelled() {
                    cancelled = true
                }
                if timedOut || cancelled {
                    interruptedAt = now
                    interruptForeground(SIGINT)
                }
            } else if let at = interruptedAt, !killed, now - at > .milliseconds(500) {
                // It ignored SIGINT: end it, and with it this shell (see interruptForeground).
                killed = true
                interruptForeground(SIGKILL)
            }
        }
        emit(pending[...])
        var status: Int32 = -1
        if sawMarker, let line = readStatusLine() {
            status = line
        } else {
            shellGone = true
        }
        if shellGone {
            markExited()
            status = reapExitStatus()
        }
        let text2 = onOutput == nil ? String(decoding: out, as: UTF8.self) : ""
        return ShellResult(output: text2, status: status, shellExited: shellGone, cancelled: cancelled, timedOut: timedOut)
    }

    /// What `readIdle` found.
    public enum IdleOutput: Sendable, Equatable {
        /// A command is running: its output is that command's.
        case busy
        /// What the shell's jobs printed (possibly nothing) while no command ran.
        case output([UInt8])
        /// The shell has exited or been closed.
        case gone
    }

    /// Reads what the shell's background jobs print while no command runs, waiting up to
    /// `wait` for the first of it. What is read here is not given to the next command, as
    /// output read from a Mininet node's stdout is not.
    public func readIdle(wait: Duration) -> IdleOutput {
        guard turn.try() else { return .busy }
        defer { turn.unlock() }
        guard isAlive else { return .gone }
        var out = carry
        carry.removeAll()
        var buf = [UInt8](repeating: 0, count: 16384)
        var timeoutMS = Int32(max(0, min(Int64(Int32.max), wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)))
        while true {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            let n = poll(&p, 1, out.isEmpty ? timeoutMS : 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            let r = read(master, &buf, buf.count)
            if r > 0 {
                out += buf[0..<r]
                timeoutMS = 0
                if out.count >= 1 << 16 { break }
            } else if r == 0 || (errno != EINTR && errno != EAGAIN) {
                markExited()
                return out.isEmpty ? .gone : .output(out)
            }
        }
        return .output(out)
    }

    /// Interrupts the command that runs, as Ctrl-C on its terminal does.
    public func interrupt() {
        var c: UInt8 = 3
        _ = write(master, &c, 1)
    }

    /// Sets the terminal size programs see (from the user's terminal).
    public func setWindowSize(from fd: Int32) {
        var w = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &w) == 0 { _ = ioctl(master, UInt(TIOCSWINSZ), &w) }
    }

    /// Ends the shell and its jobs' process groups it leads (the network's stop ends
    /// everything else). Safe to call twice.
    public func close() {
        lock.lock()
        if closed { lock.unlock(); return }
        closed = true
        lock.unlock()
        Glibc.close(commandFD)
        kill(pid, SIGKILL)
        runtime.stopBackground(pid)
        Glibc.close(master)
        Glibc.close(statusFD)
    }

    deinit { close() }

    // MARK: - Internals

    private func markExited() {
        lock.withLock { exited = true }
    }

    /// The shell's own exit status once it has gone.
    private func reapExitStatus() -> Int32 {
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            if let s = runtime.reap(pid) {
                return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f)
            }
            if !runtime.backgroundProcesses.keys.contains(pid) { return -1 }
            usleep(2000)
        }
        kill(pid, SIGKILL)
        return -1
    }

    /// SIGINT: Ctrl-C on the terminal (the shell traps it, background jobs ignore it).
    /// SIGKILL: the terminal's foreground group, which without job control is the shell
    /// and its jobs too: the next command gets a new shell.
    private func interruptForeground(_ sig: Int32) {
        if sig == SIGINT { interrupt(); return }
        let fg = tcgetpgrp(master)
        if fg > 0 { kill(-fg, sig) }
        kill(-pid, sig)
    }

    private func readStatusLine() -> Int32? {
        var line: [UInt8] = []
        var c: UInt8 = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            var p = pollfd(fd: statusFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) >= 0 || errno == EINTR else { return nil }
            if p.revents == 0 { continue }
            let r = read(statusFD, &c, 1)
            if r == 1 {
                if c == 10 { return Int32(String(decoding: line, as: UTF8.self)) }
                line.append(c)
            } else if r == 0 || (errno != EINTR && errno != EAGAIN) {
                return nil
            }
        }
        return nil
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let w = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if w < 0 {
                if errno == EINTR { continue }
                return false
            }
            off += w
        }
        return true
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let w = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if w < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { usleep(1000); continue }
                return false
            }
            off += w
        }
        return true
    }

    private func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        return (0...(hay.count - needle.count)).first { hay[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// How many bytes at the end of `bytes` are a proper prefix of the marker.
    private func longestMarkerPrefixSuffix(_ bytes: [UInt8]) -> Int {
        var k = min(marker.count - 1, bytes.count)
        while k > 0 {
            if bytes[(bytes.count - k)...].elementsEqual(marker[..<k]) { return k }
            k -= 1
        }
        return 0
    }
}
