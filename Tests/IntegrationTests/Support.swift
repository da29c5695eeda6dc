import Foundation
import Namespaces
import Netlink
import Swiftnet
import XCTest

/// What the root namespace looks like: the state a run must leave as it found it.
struct RootSnapshot: Equatable, CustomStringConvertible {
    var interfaces: Set<String>
    var namedNamespaces: Set<String>
    var mounts: Set<String>
    /// The machine's resolver files, byte for byte: hosts get their own, never these.
    var etcFiles: [Data?]
    /// What is in /run/swiftnet (run records and state directories).
    var stateEntries: Set<String>
    /// What is in the directories FRR writes to by default (a run's FRR must not).
    var frrEntries: Set<String>
    /// Every cgroup of the cpu, cpuacct and cpuset controllers (`--host cfs|rt` makes some).
    var cgroups: Set<String>

    static func take() throws -> RootSnapshot {
        let links = try RouteSocket().links().map { "\($0.name)#\($0.index)" }
        let netns = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        // Field 5 is the mount point.
        let mounts = mountinfo.split(separator: "\n").compactMap { line -> String? in
            let f = line.split(separator: " ")
            return f.count > 4 ? String(f[4]) : nil
        }
        let etc = ["/etc/resolv.conf", "/etc/hosts"].map { FileManager.default.contents(atPath: $0) }
        let state = (try? FileManager.default.contentsOfDirectory(atPath: "/run/swiftnet")) ?? []
        let frr = ["/run/frr", "/var/tmp/frr", "/etc/frr"].flatMap { d in
            ((try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []).map { "\(d)/\($0)" }
        }
        return RootSnapshot(interfaces: Set(links), namedNamespaces: Set(netns), mounts: Set(mounts),
                            etcFiles: etc, stateEntries: Set(state), frrEntries: Set(frr),
                            cgroups: Set(["cpu", "cpuacct", "cpuset"].flatMap { cgroupDirectories(under: "/sys/fs/cgroup/\($0)") }))
    }

    /// The directories below `dir` (cgroups), at any depth.
    static func cgroupDirectories(under dir: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return entries.flatMap { e -> [String] in
            let p = "\(dir)/\(e)"
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue else { return [] }
            return [p] + cgroupDirectories(under: p)
        }
    }

    var description: String {
        "interfaces: \(interfaces.sorted()), /run/netns: \(namedNamespaces.sorted()), mounts: \(mounts.count), "
            + "/etc files: \(etcFiles.map { $0?.count ?? -1 }), /run/swiftnet: \(stateEntries.sorted()), FRR: \(frrEntries.sorted()), "
            + "cgroups: \(cgroups.sorted())"
    }
}

/// Every process whose PID namespace is `pidnsInode` (a run's processes).
func processes(inPIDNamespace inode: String) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { Int32($0) }.filter { pid in
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/pid")) == inode
    }
}

func pidNamespaceInode(of pid: Int32) -> String? {
    try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/pid")
}

/// Fails unless the test runs with the capabilities to build networks (`make test`
/// runs as root; a suite that cannot build networks has not tested anything).
func requireRoot() throws {
    if let message = RequiredCapability.missingMessage() {
        throw MissingPrerequisite("needs root: \(message)")
    }
}

/// Fails (never skips) when a program the tests need is missing: `make test` installs it.
func requireProgram(_ path: String, _ what: String) throws {
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw MissingPrerequisite("\(what) is needed by this test and is not installed at \(path); make test installs it")
    }
}

/// A prerequisite the test suite must have (a program, root, a built binary, swiftnet
/// starting): its absence is a failure. Only a kernel feature the machine lacks may skip
/// a test, through `kernelLacks`.
struct MissingPrerequisite: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Skips the rest of a test because this machine's kernel lacks `feature` (such as
/// sch_netem or the openvswitch module). The reason starts with "kernel lacks", which
/// `make test`'s summary counts as expected; any other skip fails CI.
func kernelLacks(_ feature: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) -> XCTSkip {
    XCTSkip("kernel lacks \(feature): \(what)", file: file, line: line)
}

/// Builds `topology`, runs `body`, stops, and asserts that the root namespace and the
/// process table are as they were.
func withNetwork(_ topology: Topology, options: NetworkOptions = NetworkOptions(),
                 file: StaticString = #filePath, line: UInt = #line,
                 _ body: (Network) throws -> Void) throws {
    try requireRoot()
    let before = try RootSnapshot.take()
    let net = Network(try topology.validated(), options: options)
    try net.start()
    let initPID = net.processNamespaceInit!
    let inode = pidNamespaceInode(of: initPID)!
    do {
        try body(net)
    } catch {
        net.stop()
        throw error
    }
    net.stop()
    XCTAssertEqual(processes(inPIDNamespace: inode), [], "processes of the run outlived stop()", file: file, line: line)
    let after = try RootSnapshot.take()
    XCTAssertEqual(before, after, "the root namespace changed", file: file, line: line)
}

/// A small switched topology built with the DSL.
func star(_ n: Int, name: String = "star") -> Topology {
    Topology(name) {
        Switch("s1")
        for i in 1...n {
            Host("h\(i)")
            Link("h\(i)", "s1")
        }
    }
}

/// A test case with a fresh temporary directory for the files it writes (topologies,
/// experiment files, command scripts, reports), removed afterwards.
class FileTestCase: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("swiftnet-\(type(of: self))-\(getpid())-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Writes `text` to `dir/name` and returns the path.
    func write(_ name: String, _ text: String) throws -> String {
        let path = "\(dir)/\(name)"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }
}
