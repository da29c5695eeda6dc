import Foundation
import Swiftnet
import XCTest

/// Runs on a machine state that never saw FRR, dnsmasq or swiftnet: a private mount
/// namespace of the test with empty tmpfs over `/var/tmp`, `/run`, `/var/lib` and `/tmp`, so
/// `/var/tmp/frr`, `/run/frr`, `/run/swiftnet` and `/var/lib/misc` do not exist. A
/// program of a run that writes outside the run's state directory shows up as a new
/// file there; a mount "only over what already exists" protects nothing in this state.
final class FreshMachineTests: XCTestCase {
    /// The directories made empty for the run.
    static let fresh = ["/var/tmp", "/run", "/var/lib", "/tmp"]

    struct FreshRun {
        var before: [String]
        var after: [String]
        var status: Int32
        var output: String
    }

    /// Runs `swiftnet ARGS` (with `stdin` as its input) in the fresh state and lists the
    /// fresh directories before and after.
    func runFresh(_ args: [String], stdin: String? = nil) throws -> FreshRun {
        let script = """
            set -e
            mount -t tmpfs -o mode=1777 tmpfs /var/tmp
            mount -t tmpfs -o mode=1777 tmpfs /tmp
            mount -t tmpfs -o mode=0755 tmpfs /run
            mount -t tmpfs -o mode=0755 tmpfs /var/lib
            # /run/mount is mount(8)'s own table (utab), written by the mounts above.
            list() { find \(Self.fresh.joined(separator: " ")) -mindepth 1 -path /run/mount -prune -o -printf '%p %y %m\\n' | sort; }
            echo '--- before'; list
            echo '--- run'
            status=0
            "$@" || status=$?
            echo "--- status $status"
            echo '--- after'; list
            """
        let r = try runProgram(["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh"] + args,
                               stdin: stdin, timeout: 300)
        XCTAssertEqual(r.status, 0, "the fresh-state script failed: \(r.stdout)\n\(r.stderr)")
        func section(_ name: String) -> [String] {
            let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let start = lines.firstIndex(of: "--- \(name)") else { return [] }
            return Array(lines[(start + 1)...].prefix { !$0.hasPrefix("--- ") }).filter { !$0.isEmpty }
        }
        let statusLine = r.stdout.split(separator: "\n").first { $0.hasPrefix("--- status ") }
        let status = statusLine.flatMap { Int32($0.dropFirst("--- status ".count)) } ?? -1
        return FreshRun(before: section("before"), after: section("after"), status: status,
                        output: section("run").joined(separator: "\n") + "\n" + r.stderr)
    }

    /// FRR (BGP and OSPF, with vtysh in the routers) and dnsmasq labs pass on a fresh
    /// machine and leave nothing there, nor on the real machine.
    func testLabsWriteNothingOutsideTheRunOnAFreshMachine() throws {
        try requireRoot()
        try requireProgram("\(Network.frrDaemons)/zebra", "FRR (apt-get install -y frr)")
        try requireProgram(Network.dnsmasqPath ?? "/usr/sbin/dnsmasq", "dnsmasq (make deps installs dnsmasq-base)")
        let machineBefore = try RootSnapshot.take()
        let labs = ["bgp-line.yaml", "ospf-failover.yaml", "dnsmasq-lab.yaml"].map { CLI.packageRoot + "/Examples/" + $0 }
        let run = try runFresh([CLI.binary, "test"] + labs)
        XCTAssertEqual(run.before, [], "the fresh directories were not empty")
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains(", 0 failed"), run.output)
        XCTAssertEqual(run.after, run.before, "a run wrote outside its state directory:\n\(run.output)")
        XCTAssertEqual(machineBefore, try RootSnapshot.take(), "the real machine changed")
    }

    /// The shell's `vtysh` in a router, and a second program started in the router, on a
    /// fresh machine: the router's FRR directory is its /var/run/frr though the machine
    /// has none, and nothing is left.
    func testVtyshInARouterOnAFreshMachine() throws {
        try requireRoot()
        try requireProgram("\(Network.frrDaemons)/zebra", "FRR (apt-get install -y frr)")
        // Not in /tmp, which the fresh state hides.
        let dir = CLI.packageRoot + "/.build/fresh-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let commands = "\(dir)/commands"
        try """
            r1 vtysh -c 'show running-config' | grep -c 'hostname r1'
            r1 ls -d /var/run/frr/zserv.api
            """.write(toFile: commands, atomically: false, encoding: .utf8)
        let run = try runFresh([CLI.binary, "run", "--shell", CLI.packageRoot + "/Examples/bgp-line.yaml"], stdin: commands)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("/var/run/frr/zserv.api"), run.output)
        XCTAssertEqual(run.after, run.before, "a run wrote outside its state directory:\n\(run.output)")
    }

    /// Published namespaces (`--netns-names`) on a machine without /run/netns: the folder
    /// the run made goes with it, and so does /run/swiftnet.
    func testPublishedNamespacesOnAFreshMachine() throws {
        try requireRoot()
        let run = try runFresh([CLI.binary, "--topo", "single,2", "--netns-names", "--test", "pingall"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("0% dropped"), run.output)
        XCTAssertEqual(run.after, run.before, "a run left files behind:\n\(run.output)")
    }
}

/// Runs a program to completion (killed after `timeout`), its output collected.
func runProgram(_ argv: [String], stdin: String? = nil, timeout: TimeInterval) throws -> CLI.Output {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0])
    p.arguments = Array(argv.dropFirst())
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = stdin.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
    try p.run()
    nonisolated(unsafe) var o = Data(), e = Data()
    let group = DispatchGroup()
    group.enter(); DispatchQueue.global().async { o = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter(); DispatchQueue.global().async { e = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(20_000) }
    if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    p.waitUntilExit()
    group.wait()
    return CLI.Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}
