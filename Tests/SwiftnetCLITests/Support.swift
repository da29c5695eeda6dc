import Foundation
import Swiftnet
import SwiftnetCLI
import XCTest

/// What the root namespace looks like: what a run must leave as it found it.
struct RootState: Equatable, CustomStringConvertible {
    /// Interface names with their index (a re-created interface gets a new one).
    var interfaces: Set<String>
    var namedNamespaces: Set<String>
    var mounts: Set<String>
    var stateEntries: Set<String>

    static func take() -> RootState {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
        let interfaces = names.map { name in
            let index = (try? String(contentsOfFile: "/sys/class/net/\(name)/ifindex", encoding: .utf8)) ?? "?"
            return "\(name)#\(index.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        let netns = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        // Field 5 is the mount point.
        let mounts = mountinfo.split(separator: "\n").compactMap { line -> String? in
            let f = line.split(separator: " ")
            return f.count > 4 ? String(f[4]) : nil
        }
        let state = (try? FileManager.default.contentsOfDirectory(atPath: "/run/swiftnet")) ?? []
        return RootState(interfaces: Set(interfaces), namedNamespaces: Set(netns), mounts: Set(mounts), stateEntries: Set(state))
    }

    var description: String {
        "interfaces: \(interfaces.sorted()), /run/netns: \(namedNamespaces.sorted()), mounts: \(mounts.count), /run/swiftnet: \(stateEntries.sorted())"
    }
}

/// Every process in the PID namespace `inode` (a run's processes).
func processes(inPIDNamespace inode: String) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { Int32($0) }.filter { pid in
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/pid")) == inode
    }
}

/// True once `condition` holds, checking every 100 ms for up to `seconds`.
func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(100_000)
    }
    return condition()
}

/// How many descriptors this process has open.
func openDescriptors() -> Int {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count
}

struct NeedsRoot: Error, CustomStringConvertible {
    var description: String { "these tests build network namespaces: run them as root" }
}

/// A shell over `linear,2` (h1 - s1 - s2 - h2) that is not started: for the verbs that
/// need only the topology.
func unstartedShell(_ spec: String = "linear,2", verbs: ShellVerbs = .standard) throws -> (Shell, BufferShellOutput) {
    let out = BufferShellOutput()
    let net = Network(try Topology.builtin(spec).validated())
    return (Shell(network: net, output: out, verbs: verbs), out)
}

/// Builds `spec`, gives `body` a shell over it that writes to a buffer, stops, and
/// asserts that the run's processes are gone and the root namespace is as it was.
func withShell(_ spec: String = "linear,2", file: StaticString = #filePath, line: UInt = #line,
               _ body: (Shell, BufferShellOutput) throws -> Void) throws {
    try withShell(Topology.builtin(spec), file: file, line: line, body)
}

/// `withShell` over a topology of the test's own.
func withShell(_ topology: Topology, file: StaticString = #filePath, line: UInt = #line,
               _ body: (Shell, BufferShellOutput) throws -> Void) throws {
    guard geteuid() == 0 else { throw NeedsRoot() }
    let before = RootState.take()
    let net = Network(try topology.validated())
    try net.start()
    let inode = net.processNamespaceInit.flatMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\($0)/ns/pid") }
    XCTAssertNotNil(inode, "the run has a PID namespace", file: file, line: line)
    let out = BufferShellOutput()
    let shell = Shell(network: net, output: out)
    do {
        try body(shell, out)
    } catch {
        shell.execute("exit")
        net.stop()
        throw error
    }
    // Ending the shell kills its background jobs, as at the prompt.
    shell.run(Lines([]), prompt: nil)
    net.stop()
    if let inode {
        XCTAssertTrue(eventually(5) { processes(inPIDNamespace: inode).isEmpty }, "processes of the run outlived stop()", file: file, line: line)
    }
    XCTAssertTrue(eventually(5) { RootState.take() == before }, "the root namespace changed: \(before) -> \(RootState.take())",
                  file: file, line: line)
}

/// Lines for `Shell.run`, with the completions it was given.
final class Lines: LineSource {
    var lines: [String]
    var completions: [String] = []
    var remembered: [String] = []
    var closed = false

    init(_ lines: [String]) { self.lines = lines }

    func readLine(prompt: String) -> String? { lines.isEmpty ? nil : lines.removeFirst() }
    func setCompletions(_ words: [String]) { completions = words }
    func remember(_ line: String) { remembered.append(line) }
    func close() { closed = true }
}

extension Shell {
    /// Runs `line`, and returns its status, asserting the shell goes on.
    @discardableResult
    func status(_ line: String, file: StaticString = #filePath, line number: UInt = #line) -> Int32 {
        XCTAssertTrue(execute(line), "'\(line)' ended the shell", file: file, line: number)
        return lastStatus
    }
}
