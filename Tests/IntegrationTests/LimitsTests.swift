import Foundation
import XCTest

/// Topologies past a kernel limit are refused before anything is built: exit 2, one
/// message, the root namespace as it was.
final class LimitsTests: XCTestCase {
    override func setUp() async throws {
        try requireProgram(CLI.binary, "swiftnet (swift build)")
        // As root the build would really start without the checks (and fail half-way).
        try requireRoot()
    }

    func testTooManyBridgePortsExitTwoAndCreateNothing() throws {
        let before = try RootSnapshot.take()
        let r = try CLI.run(["--topo", "single,1100", "--test", "build"])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("switch 's1' has 1100 ports; a Linux bridge takes at most 1023"), r.stderr)
        XCTAssertTrue(r.stderr.contains("--switch user"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one message: \(r.stderr)")
        XCTAssertFalse(r.stdout.contains("Adding hosts"), "nothing is built: \(r.stdout)")
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    func testMoreOpenFilesThanTheHardLimitExitTwo() throws {
        try requireProgram("/usr/bin/prlimit", "prlimit (util-linux)")
        let before = try RootSnapshot.take()
        try requireProgram("/usr/bin/setpriv", "setpriv (util-linux)")
        // single,1000 needs 1000 descriptors for its hosts' namespaces, 512 for their
        // sockets and 256 more. Without CAP_SYS_RESOURCE (dropped from the bounding set,
        // where a machine's root has it) the hard limit cannot be raised past 1500.
        let r = try CLI.run(["--topo", "single,1000", "--test", "build"],
                            prefix: ["/usr/bin/setpriv", "--bounding-set=-sys_resource", "/usr/bin/prlimit", "--nofile=1500:1500", "--"])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("needs about 1768 open files"), r.stderr)
        XCTAssertTrue(r.stderr.contains("at most 1500"), r.stderr)
        XCTAssertTrue(r.stderr.contains("ulimit -n 1768"), r.stderr)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    func testARunNameThatCannotNameAFileExitsTwo() throws {
        let before = try RootSnapshot.take()
        let r = try CLI.run(["--topo", "minimal", "--name", "a/b", "--netns-names", "--test", "build"])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("--name 'a/b' must be 1 to 64 letters"), r.stderr)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// The neighbour table is the machine's: a pingall whose pairs need more entries than
    /// it holds (sent all at once, single,33 lost 32 of 1056 with gc_thresh3 1024) keeps
    /// within it and loses nothing.
    func testAPingAllPastTheNeighbourTableLosesNothing() throws {
        // The file is in the machine's own network namespace only (a container with a
        // namespace of its own has none): there swiftnet, and this test, take the
        // kernel's default, 1024.
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/neigh/default/gc_thresh3", encoding: .utf8)) ?? "1024"
        let limit = try XCTUnwrap(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), text)
        // The fewest hosts on one switch whose pingall needs more than `limit` entries.
        var n = 2
        while n * (n - 1) <= limit { n += 1 }
        let r = try CLI.run(["--topo", "single,\(n)", "--test", "pingall"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (\(n * (n - 1))/\(n * (n - 1)) received)"), r.stdout)
    }
}
