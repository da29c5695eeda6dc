import Foundation
import Swiftnet
import XCTest

/// The first SIGINT or SIGTERM ends a run of 2,500 hosts while its pingall runs: it exits
/// 130 having torn the network down, and the root namespace is as it was. The bound is
/// generous (it includes starting to tear 2,500 namespaces down); the time from the signal
/// to the exit is measured by `make bench` (Benchmarks/scale_bench.py), not here.
final class ScaleTests: XCTestCase {
    override func setUp() async throws {
        try requireProgram(CLI.binary, "swiftnet (swift build)")
    }

    /// Sends `sig` to a running swiftnet `after` seconds and waits up to 30 s for it
    /// to end (SIGKILL after that), reading its output as it comes so that it never waits
    /// on a full pipe.
    func signal(_ p: Process, _ out: Pipe, _ sig: Int32, after: TimeInterval)
        -> (wasRunning: Bool, ended: Bool, rest: String, seconds: Double) {
        nonisolated(unsafe) var rest = ""
        let reader = DispatchGroup()
        reader.enter()
        DispatchQueue.global().async { rest = readRest(out); reader.leave() }
        Thread.sleep(forTimeInterval: after)
        let wasRunning = p.isRunning
        let t0 = Date()
        kill(p.processIdentifier, sig)
        let ended = eventually(30) { !p.isRunning }
        if !ended { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(t0)
        reader.wait()
        return (wasRunning, ended, rest, seconds)
    }

    func testSIGINTStopsThePingallOf2500Hosts() throws {
        try interruptPingall(with: SIGINT)
    }

    func testSIGTERMStopsThePingallOf2500Hosts() throws {
        try interruptPingall(with: SIGTERM)
    }

    func interruptPingall(with sig: Int32, file: StaticString = #filePath, line: UInt = #line) throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let (p, out) = try CLI.start(["--topo", "tree,depth=2,fanout=50", "--test", "pingall"],
                                     waitFor: "*** Ping: testing ping reachability", timeout: 180)
        let s = signal(p, out, sig, after: 2)  // well into the pingall
        let rest = s.rest
        XCTAssertTrue(s.wasRunning, "the pingall of 6.2 million pairs ended within 2 s", file: file, line: line)
        XCTAssertTrue(s.ended, "still running 30 s after the signal", file: file, line: line)
        XCTAssertEqual(p.terminationStatus, 130, rest, file: file, line: line)
        XCTAssertTrue(rest.contains("*** Interrupted: pingall stopped after"), rest, file: file, line: line)
        XCTAssertTrue(rest.contains("*** Done"), rest, file: file, line: line)
        XCTAssertFalse(rest.contains("Interrupted twice"), "one signal is enough", file: file, line: line)
        XCTAssertFalse(rest.contains(" pings ("), "no progress line when stdout is not a terminal", file: file, line: line)
        print("swiftnet ended \(String(format: "%.2f", s.seconds)) s after the signal")
        XCTAssertTrue(try eventually(10) { try RootSnapshot.take() == before },
                      "\(String(describing: try? RootSnapshot.take())) vs \(before)", file: file, line: line)
    }

    /// SIGINT while 2,500 hosts are being built (their namespaces made on a second thread
    /// ahead of the links): the build stops within a second and leaves nothing behind.
    func testSIGINTStopsTheBuildOf2500Hosts() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let (p, out) = try CLI.start(["--topo", "tree,depth=2,fanout=50", "--switch", "user", "--test", "none"],
                                     waitFor: "*** Adding links", timeout: 60)
        let s = signal(p, out, SIGINT, after: 0.7)  // hosts and links under way
        let (rest, took) = (s.rest, s.seconds)
        XCTAssertTrue(s.wasRunning, "the build of 2,500 hosts ended within 0.7 s")
        XCTAssertTrue(s.ended, "still running 30 s after the signal")
        XCTAssertEqual(p.terminationStatus, 130, rest)
        XCTAssertTrue(rest.contains("*** Interrupted while building: nothing was left behind"), rest)
        XCTAssertLessThan(took, 5, "SIGINT to exit, with the namespaces being torn down")
        print("swiftnet ended \(String(format: "%.2f", took)) s after the signal")
        XCTAssertTrue(try eventually(10) { try RootSnapshot.take() == before },
                      "\(String(describing: try? RootSnapshot.take())) vs \(before)")
    }

    /// On a terminal the shell's pingall shows the pings done so far, and Ctrl-C stops it
    /// and gives the prompt back; the network stays up.
    func testCtrlCStopsTheShellsPingallOf2500Hosts() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let t = try ShellTests.Tmux(session: "snscale\(getpid())", swiftnet: "--topo tree,depth=2,fanout=50")
        XCTAssertTrue(t.waitFor("swiftnet>", timeout: 180), t.screen())
        var started = false
        for _ in 0..<3 where !started {
            try t.type("pingall", "Enter")
            started = t.waitFor("*** Ping: testing ping reachability", timeout: 5)
        }
        XCTAssertTrue(started, t.screen())
        XCTAssertTrue(t.waitFor("/6247500 pings (", timeout: 20), "the progress line: \(t.screen())")
        let prompts = t.count("swiftnet>")
        try t.type("C-c")
        XCTAssertTrue(t.waitFor("*** Interrupted: pingall stopped after", timeout: 30), t.screen())
        XCTAssertTrue(eventually(10) { t.count("swiftnet>") > prompts }, t.screen())
        try t.type("h1 echo still-up", "Enter")
        XCTAssertTrue(t.waitFor("still-up"), t.screen())
        try t.type("exit", "Enter")
        XCTAssertTrue(t.waitFor("*** Done", timeout: 60), t.screen())
        XCTAssertTrue(try eventually(10) { try RootSnapshot.take() == before })
    }
}
