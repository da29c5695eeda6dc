import Foundation
import Swiftnet
import XCTest

/// swiftnet in Mininet's place: started as `mn`, `dump` with pids, `--pre`/`--post`,
/// `-c`, `--arp` and `--mac`.
final class MininetDropInTests: FileTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try requireRoot()
        try requireProgram(CLI.binary, "swiftnet (swift build)")
    }

    /// A link named `mn` to the built binary, in the test's directory.
    func mnLink() throws -> String {
        let mn = "\(dir)/mn"
        try FileManager.default.createSymbolicLink(atPath: mn, withDestinationPath: CLI.binary)
        return mn
    }

    func testStartedAsMnItSaysMnAndPromptsMininet() throws {
        let mn = try mnLink()
        let help = try CLI.run(["-h"], program: mn)
        XCTAssertEqual(help.status, 0, help.stderr)
        XCTAssertTrue(help.stdout.contains("USAGE: mn "), help.stdout)
        XCTAssertTrue(help.stdout.contains("sudo mn --topo linear,3 --test pingall"), help.stdout)
        XCTAssertFalse(help.stdout.contains("swiftnet <subcommand>"), help.stdout)
        let bad = try CLI.run(["--frobnicate"], program: mn)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("Usage: mn ") || bad.stderr.contains("USAGE: mn "), bad.stderr)
        // Under its own name it stays swiftnet.
        let own = try CLI.run(["-h"])
        XCTAssertTrue(own.stdout.contains("USAGE: swiftnet "), own.stdout)

        let before = try RootSnapshot.take()
        let t = try ShellTests.Tmux(session: "snmn\(getpid())", swiftnet: "--topo minimal", binary: mn)
        XCTAssertTrue(t.waitFor("mininet>"), t.screen())
        XCTAssertFalse(t.screen().contains("swiftnet>"), t.screen())
        var listed = false
        for _ in 0..<3 where !listed {
            try t.type("nodes", "Enter")
            listed = t.waitFor("h1 h2 s1", timeout: 3)
        }
        XCTAssertTrue(listed, t.screen())
        try t.type("exit", "Enter")
        XCTAssertTrue(t.waitFor("*** Done"), t.screen())
        XCTAssertTrue(try eventually(5) { try RootSnapshot.take() == before })
    }

    /// `make install` links `mn` to swiftnet only where no `mn` is found on PATH.
    func testInstallLinksMnOnlyWithoutARealOne() throws {
        let prefix = "\(dir)/prefix", tools = "\(dir)/tools"
        for d in [prefix + "/bin", tools] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try "#!/bin/sh\n".write(toFile: prefix + "/bin/swiftnet", atomically: false, encoding: .utf8)
        // Only what the recipe needs on PATH: no Mininet there.
        for t in ["readlink", "ln"] { try FileManager.default.createSymbolicLink(atPath: "\(tools)/\(t)", withDestinationPath: "/usr/bin/\(t)") }
        func install() throws -> String {
            try tool("/usr/bin/env", ["PATH=\(tools)", "/usr/bin/make", "-s", "-C", CLI.packageRoot, "install-mn", "PREFIX=\(prefix)"])
        }
        let made = try install()
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: prefix + "/bin/mn"), "swiftnet", made)
        XCTAssertTrue(made.contains("bin/mn -> swiftnet"), made)
        XCTAssertEqual(try install(), "", "a second install has nothing to say")
        // A real mn on PATH: nothing made, one line saying so and how to link by hand.
        try FileManager.default.removeItem(atPath: prefix + "/bin/mn")
        try "#!/bin/sh\n".write(toFile: tools + "/mn", atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(tools + "/mn", 0o755), 0)
        let left = try install()
        XCTAssertFalse(FileManager.default.fileExists(atPath: prefix + "/bin/mn"), left)
        XCTAssertTrue(left.contains("Left \(tools)/mn alone") && left.contains("ln -s \(prefix)/bin/swiftnet"), left)
        XCTAssertEqual(left.split(separator: "\n").count, 1, left)
    }
}
