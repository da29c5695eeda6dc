import Foundation
import Namespaces
import Swiftnet
import XCTest

/// The built `swiftnet` binary, run as a user would.
enum CLI {
    static var binary: String {
        if let p = ProcessInfo.processInfo.environment["SWIFTNET_BIN"] { return p }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/swiftnet").path
    }

    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs swiftnet to completion.
    /// - Parameter stdin: a file to read standard input from (default: /dev/null).
    /// - Parameter program: what to start instead of the built binary (a link to it).
    static func run(_ args: [String], prefix: [String] = [], stdin: String? = nil, timeout: TimeInterval = 120,
                    program: String? = nil) throws -> Output {
        let p = Process()
        let binary = program ?? binary
        p.executableURL = URL(fileURLWithPath: prefix.isEmpty ? binary : prefix[0])
        p.arguments = prefix.isEmpty ? args : Array(prefix.dropFirst()) + [binary] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = stdin.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        nonisolated(unsafe) var o = Data(), e = Data()
        group.enter(); DispatchQueue.global().async { o = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { e = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.interrupt(); kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        group.wait()
        outData = o; errData = e
        return Output(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts swiftnet and returns once `marker` appears on its standard output.
    static func start(_ args: [String], waitFor marker: String, stdin: String? = nil, timeout: TimeInterval = 60) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = stdin.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        try p.run()
        var seen = Data()
        let deadline = Date().addingTimeInterval(timeout)
        let fd = out.fileHandleForReading.fileDescriptor
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var buf = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = read(fd, &buf, buf.count)
            if n > 0 { seen.append(contentsOf: buf[0..<n]) }
            if String(decoding: seen, as: UTF8.self).contains(marker) { return (p, out) }
            if !p.isRunning { break }
            usleep(20_000)
        }
        kill(p.processIdentifier, SIGKILL)
        // swiftnet hung or died at start-up: a failure of swiftnet, never a skip.
        throw MissingPrerequisite("swiftnet \(args.joined(separator: " ")) did not print '\(marker)' within \(Int(timeout)) s (running: \(p.isRunning)): \(String(decoding: seen, as: UTF8.self))")
    }
}

/// What is left to read on the output of a process started by `CLI.start` (whose pipe
/// was made non-blocking to wait for a marker): blocking again, to its end.
func readRest(_ pipe: Pipe) -> String {
    let fd = pipe.fileHandleForReading.fileDescriptor
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    var data = [UInt8]()
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &buf, buf.count)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        data.append(contentsOf: buf[0..<n])
    }
    return String(decoding: data, as: UTF8.self)
}

/// The swiftnet janitors still alive, with their state, for failure messages.
func janitorState() -> String {
    let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    return pids.compactMap { pid -> String? in
        guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), comm.hasPrefix("swiftnet-janit") else { return nil }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return "\(pid): \(stat.prefix(60))"
    }.joined(separator: "; ")
}

/// Pids of the direct children of a process (all its threads).
func childPIDs(of pid: Int32) -> [Int32] {
    guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return [] }
    return tasks.flatMap { t -> [Int32] in
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// Runs a system tool and returns its standard output.
func tool(_ path: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Waits up to `timeout` for `condition`.
func eventually(_ timeout: TimeInterval = 5, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if try condition() { return true }
        usleep(50_000)
    } while Date() < deadline
    return false
}

final class CLITests: XCTestCase {
    override func setUp() async throws {
        guard FileManager.default.isExecutableFile(atPath: CLI.binary) else {
            throw MissingPrerequisite("\(CLI.binary) is not built (run `swift build` first)")
        }
    }

    func testPingAllOnBuiltinTopologies() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        for (topo, count) in [("single,3", 6), ("linear,3", 6), ("tree,depth=2,fanout=3", 72), ("minimal", 2)] {
            let r = try CLI.run(["--topo", topo, "--test", "pingall"])
            XCTAssertEqual(r.status, 0, "\(topo): \(r.stdout)\(r.stderr)")
            XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (\(count)/\(count) received)"), "\(topo): \(r.stdout)")
        }
        let r = try CLI.run(["--topo", "linear,3", "--test", "pingall"])
        XCTAssertTrue(r.stdout.contains("h1 -> h2 h3 "), r.stdout)
        XCTAssertTrue(r.stdout.contains("*** Adding links:\n(h1, s1) (h2, s2) (s2, s1) (h3, s3) (s3, s2) "), r.stdout)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    func testTorusConvergesWithSTP() throws {
        try requireRoot()
        let r = try CLI.run(["--topo", "torus,3,3", "--test", "pingall"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("STP"), r.stdout)
        XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (72/72 received)"), r.stdout)
    }

    func testBadInputExitsTwoAndCreatesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftnet-cli-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.yaml").path
        try "name: bad\nhosts:\n  h1: {}\nswitches:\n  s1: {}\nlinks:\n  - [h1, s9]\n".write(toFile: bad, atomically: false, encoding: .utf8)
        let before = try? RootSnapshot.take()
        for args in [["validate", bad], ["run", bad], ["--custom", bad, "--test", "pingall"]] {
            let r = try CLI.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("\(bad):7:"), "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("s9"), r.stderr)
        }
        let topo = try CLI.run(["--topo", "bogus,3"])
        XCTAssertEqual(topo.status, 2)
        XCTAssertTrue(topo.stderr.contains("linear"), topo.stderr)
        // (ovsk is Mininet's name for the user switch here; frob is nobody's.)
        let sw = try CLI.run(["--topo", "single,2", "--switch", "frob"])
        XCTAssertEqual(sw.status, 2)
        XCTAssertTrue(sw.stderr.contains("--switch frob"), sw.stderr)
        let test = try CLI.run(["--topo", "single,2", "--test", "nosuch"])
        XCTAssertEqual(test.status, 2, test.stderr)
        if let before { XCTAssertEqual(before, try RootSnapshot.take()) }
    }

    func testWithoutPrivilegesSaysWhichCapabilityIsMissing() throws {
        try requireRoot()
        try requireProgram("/usr/bin/setpriv", "setpriv (util-linux)")
        // (SWIFTNET_ROOTLESS=0: without it, a user's run is rootless; see RootlessTests.)
        setenv("SWIFTNET_ROOTLESS", "0", 1)
        defer { unsetenv("SWIFTNET_ROOTLESS") }
        let r = try CLI.run(["--topo", "minimal", "--test", "pingall"],
                            prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("CAP_NET_ADMIN"), r.stderr)
        XCTAssertTrue(r.stderr.contains("sudo"), r.stderr)
    }

    /// A container without --cap-add NET_ADMIN: root, but the capability is outside the
    /// bounding set. The message names exactly the flag the container needs.
    func testWithoutTheCapabilityInTheBoundingSetNamesTheCapAddFlag() throws {
        try requireRoot()
        try requireProgram("/usr/bin/setpriv", "setpriv (util-linux)")
        let before = try RootSnapshot.take()
        let r = try CLI.run(["--topo", "minimal", "--test", "pingall"], prefix: ["/usr/bin/setpriv", "--bounding-set=-net_admin"])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("--cap-add NET_ADMIN"), r.stderr)
        XCTAssertFalse(r.stderr.contains("SYS_ADMIN"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    func testSIGKILLOfRunLeavesNothing() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let file = CLI.packageRoot + "/Topologies/two-subnets.yaml"
        let (p, _) = try CLI.start(["run", file, "--netns-names", "--name", "sigkill\(getpid())"], waitFor: "Network is up")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "/run/netns/sigkill\(getpid())-h1"))
        // What the YAML file says is what `ip -n` shows.
        let link = try tool("/sbin/ip", ["-n", "sigkill\(getpid())-h2", "-br", "link", "show", "h2-eth0"])
        XCTAssertTrue(link.contains("00:00:00:00:00:02"), link)
        let addrs = try tool("/sbin/ip", ["-n", "sigkill\(getpid())-h2", "-br", "addr", "show", "h2-eth0"])
        XCTAssertTrue(addrs.contains("10.0.0.2/8"), addrs)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertTrue(try eventually(5) { try RootSnapshot.take() == before }, "leftovers: \(String(describing: try? RootSnapshot.take()))")
    }

    func testSIGKILLWhileProgramsRunKillsThem() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("sn-kill-\(getpid()).txt").path
        try "h1 sh -c 'sleep 300 & sleep 300' &\nh2 sleep 300\n".write(toFile: script, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let (p, _) = try CLI.start(["--topo", "single,3"], waitFor: "[1]", stdin: script)
        var programs: [Int32] = []
        _ = eventually(5) {
            programs = childPIDs(of: p.processIdentifier)
            return programs.count >= 3  // the PID namespace init, the job, the foreground sleep
        }
        let grandchildren = programs.flatMap { childPIDs(of: $0) }
        XCTAssertFalse(grandchildren.isEmpty, "the background job's own children should be running")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let all = programs + grandchildren
        XCTAssertTrue(eventually(5) { all.allSatisfy { kill($0, 0) != 0 } }, "processes outlived swiftnet: \(all.filter { kill($0, 0) == 0 })")
        XCTAssertTrue(try eventually(10) { try RootSnapshot.take() == before }, "leftovers: \(String(describing: try? RootSnapshot.take())) before: \(before); janitor: \(janitorState())")
    }

    func testCtrlCStopsCleanly() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let file = CLI.packageRoot + "/Topologies/two-subnets.yaml"
        let (p, out) = try CLI.start(["run", file, "--netns-names", "--name", "ctrlc\(getpid())"], waitFor: "Network is up")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let rest = readRest(out)
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertTrue(rest.contains("*** Done"), rest)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    func testTwoRunsOfTheSameFileSideBySide() throws {
        try requireRoot()
        let file = CLI.packageRoot + "/Topologies/two-subnets.yaml"
        let (a, _) = try CLI.start(["run", file], waitFor: "Network is up")
        defer { kill(a.processIdentifier, SIGKILL); a.waitUntilExit() }
        let r = try CLI.run(["--custom", file, "--test", "pingall"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("0% dropped"), r.stdout)
        // The same --netns-names twice is refused with a message, not a half-built network.
        let name = "dup\(getpid())"
        let (b, _) = try CLI.start(["run", file, "--netns-names", "--name", name], waitFor: "Network is up")
        defer { kill(b.processIdentifier, SIGINT); b.waitUntilExit() }
        let c = try CLI.run(["run", file, "--netns-names", "--name", name])
        XCTAssertEqual(c.status, 2, c.stderr)
        XCTAssertTrue(c.stderr.contains("--name"), c.stderr)
    }

    func testCleanRemovesOnlyDeadRunsLeftovers() throws {
        try requireRoot()
        let run = "cleantest\(getpid())"
        let mountPoint = "/run/netns/\(run)-h1"
        // The folders this test makes for its fake leftovers go again when empty.
        for d in ["/run/netns", RunRecord.directory] where access(d, F_OK) != 0 {
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
            addTeardownBlock { rmdir(d) }
        }
        let ns = try NetworkNamespace()
        XCTAssertTrue(FileManager.default.createFile(atPath: mountPoint, contents: nil))
        try ns.bindMount(at: mountPoint)
        ns.close()
        // A dead owner: a pid that existed and ended.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        try "pid \(dead.processIdentifier) start 1\n\(mountPoint)\n".write(toFile: "\(RunRecord.directory)/\(run).run", atomically: false, encoding: .utf8)
        // A live owner: this test process, with its real start time.
        let live = "livetest\(getpid())"
        let stat = try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
        let start = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")[19]
        try "pid \(getpid()) start \(start)\n".write(toFile: "\(RunRecord.directory)/\(live).run", atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: "\(RunRecord.directory)/\(live).run") }

        let r = try CLI.run(["clean"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("removed \(mountPoint)"), r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: mountPoint))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(RunRecord.directory)/\(run).run"))
        XCTAssertTrue(r.stdout.contains("'\(live)' is still running"), r.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(RunRecord.directory)/\(live).run"))
    }
}
