import Foundation
import Glibc

/// Where the shell's verbs write: the terminal (standard output and error) in the
/// `swiftnet>` shell, a buffer in tests. Verbs never print directly.
public protocol ShellOutput: AnyObject, Sendable {
    /// Writes `text` as it is (no newline added) to the output stream.
    func write(_ text: String)
    /// Writes `text` as it is to the error stream.
    func writeError(_ text: String)
    /// True when the output is a terminal: progress lines are drawn in place on it.
    var isTerminal: Bool { get }
    /// The terminal a foreground program gets (its input and foreground group), or nil.
    var terminal: Int32? { get }
    /// The descriptors programs the shell runs write to directly (output, error), or nil
    /// when their output has to be copied through `write` and `writeError`.
    var programDescriptors: (output: Int32, error: Int32)? { get }
}

extension ShellOutput {
    /// Writes a line.
    public func say(_ line: String) { write(line + "\n") }
    /// Writes a line to the error stream.
    public func complain(_ line: String) { writeError(line + "\n") }
}

/// Standard output and standard error, as the `swiftnet>` shell uses them.
public final class StandardShellOutput: ShellOutput {
    public init() {}

    public func write(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }

    public func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    public var isTerminal: Bool { isatty(1) == 1 }
    public var terminal: Int32? { isatty(0) == 1 ? 0 : nil }
    public var programDescriptors: (output: Int32, error: Int32)? { (1, 2) }
}

/// Everything written, kept in memory: the shell in a test.
public final class BufferShellOutput: ShellOutput, @unchecked Sendable {
    private let lock = NSLock()
    private var out = ""
    private var err = ""
    private var all = ""

    public init() {}

    public func write(_ text: String) {
        lock.withLock {
            out += text
            all += text
        }
    }

    public func writeError(_ text: String) {
        lock.withLock {
            err += text
            all += text
        }
    }

    /// What was written to the output stream.
    public var output: String { lock.withLock { out } }
    /// What was written to the error stream.
    public var errors: String { lock.withLock { err } }
    /// Both streams, interleaved as written.
    public var combined: String { lock.withLock { all } }

    /// Forgets what was written so far.
    public func clear() {
        lock.withLock {
            out = ""
            err = ""
            all = ""
        }
    }

    public var isTerminal: Bool { false }
    public var terminal: Int32? { nil }
    public var programDescriptors: (output: Int32, error: Int32)? { nil }
}

/// The descriptors a program run by the shell gets for its output and errors: the
/// shell output's own, or pipes copied into it while the program runs.
final class ProgramStreams: @unchecked Sendable {
    let output: Int32
    let error: Int32
    private let target: any ShellOutput
    private var writeEnds: [Int32] = []
    private var readEnds: [Int32] = []
    private let lock = NSLock()
    private var ending = false
    private let copied = DispatchSemaphore(value: 0)
    private var copying = false

    init(for target: any ShellOutput) throws {
        self.target = target
        if let fds = target.programDescriptors {
            (output, error) = fds
            return
        }
        var o: [Int32] = [0, 0]
        var e: [Int32] = [0, 0]
        guard pipe(&o) == 0 else { throw ShellError("pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&e) == 0 else {
            close(o[0]); close(o[1])
            throw ShellError("pipe: \(String(cString: strerror(errno)))")
        }
        // Programs get the write ends as their output; no other program gets any end.
        for fd in o + e { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        (output, error) = (o[1], e[1])
        writeEnds = [o[1], e[1]]
        readEnds = [o[0], e[0]]
    }

    /// The program has its copies of the descriptors: closes the shell's write ends and
    /// starts copying what the program writes.
    func started() {
        guard !readEnds.isEmpty else { return }
        for fd in writeEnds { close(fd) }
        writeEnds = []
        copying = true
        let t = Thread { [self] in copy() }
        t.start()
    }

    /// The program ended: copies what it left in the pipes and stops (a process it left
    /// behind may hold the pipes open; what it writes later is lost).
    func finished() {
        for fd in writeEnds { close(fd) }
        writeEnds = []
        if copying {
            lock.withLock { ending = true }
            copied.wait()
            copying = false
        }
        for fd in readEnds { close(fd) }
        readEnds = []
    }

    private func copy() {
        var open = readEnds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var pending: [Int32: [UInt8]] = [:]
        var buffer = [UInt8](repeating: 0, count: 65536)
        var deadline: ContinuousClock.Instant?
        func emit(_ fd: Int32, all: Bool) {
            guard var bytes = pending[fd], !bytes.isEmpty else { return }
            // Whole lines only, so a character is never split between two writes.
            var cut = bytes.count
            if !all {
                guard let nl = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return }
                cut = nl + 1
            }
            let text = String(decoding: bytes[..<cut], as: UTF8.self)
            bytes.removeFirst(cut)
            pending[fd] = bytes
            if fd == readEnds[0] { target.write(text) } else { target.writeError(text) }
        }
        while !open.isEmpty {
            let n = poll(&open, nfds_t(open.count), 100)
            if n < 0 && errno == EINTR { continue }
            if lock.withLock({ ending }) {
                // Once the program ended: what is already there, for at most a second.
                if n <= 0 { break }
                if deadline == nil { deadline = .now + .seconds(1) }
                if let deadline, ContinuousClock.now > deadline { break }
            }
            if n <= 0 { continue }
            var closed: [Int32] = []
            for p in open where p.revents != 0 {
                let r = read(p.fd, &buffer, buffer.count)
                if r > 0 {
                    pending[p.fd, default: []].append(contentsOf: buffer[..<r])
                    emit(p.fd, all: false)
                } else if r == 0 || (errno != EINTR && errno != EAGAIN) {
                    closed.append(p.fd)
                }
            }
            open.removeAll { closed.contains($0.fd) }
        }
        for fd in readEnds { emit(fd, all: true) }
        copied.signal()
    }
}

/// A failure of the shell's own machinery (not of a command).
struct ShellError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
