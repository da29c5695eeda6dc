import Foundation
import Namespaces
import Swiftnet
import XCTest

/// `net["h1"]`: node handles, their persistent shell and background processes.
final class NodeHandleTests: XCTestCase {
    func testPersistentShellKeepsDirectoryVariablesAndJobs() throws {
        try withNetwork(star(2)) { net in
            let h1 = try XCTUnwrap(net["h1"])
            XCTAssertNil(net["nope"])
            XCTAssertThrowsError(try net.node("nope")) { XCTAssertTrue("\($0)".contains("no node named 'nope'"), "\($0)") }
            XCTAssertEqual(h1.ip?.description, "10.0.0.1")
            XCTAssertEqual(h1.kind, .host)
            // The working directory, variables and functions carry over.
            XCTAssertEqual(try h1.shell("cd /tmp").status, 0)
            XCTAssertEqual(try h1.cmd("pwd"), "/tmp\n")
            _ = try h1.cmd("X=42; greet() { echo hello $1; }")
            XCTAssertEqual(try h1.cmd("echo $X; greet h2"), "42\nhello h2\n")
            // Status of the last command; stderr comes with stdout, as on a terminal.
            let r = try h1.shell("echo out; echo err >&2; false")
            XCTAssertEqual(r.status, 1)
            XCTAssertEqual(r.output, "out\nerr\n")
            // Bash syntax (Mininet users write bash), and a syntax error is the command's.
            XCTAssertEqual(try h1.cmd("echo {1..3} >& /dev/null; [[ -n x ]] && echo bash"), "bash\n")
            let bad = try h1.shell("echo \"unterminated")
            XCTAssertEqual(bad.status, 2)
            XCTAssertFalse(bad.shellExited)
            XCTAssertEqual(try h1.cmd("echo $X"), "42\n")
            // `&` jobs are the shell's: `jobs` lists them, `kill %name` ends them.
            XCTAssertEqual(try h1.shell("sleep 300 &").status, 0)
            XCTAssertTrue(try h1.cmd("jobs").contains("sleep 300"))
            XCTAssertEqual(try h1.shell("kill %sleep; wait %sleep").status, 143)
            XCTAssertEqual(try h1.cmd("jobs"), "")
            // It is a terminal, in the host's namespace; h2 has a shell of its own.
            // Its output is a terminal; its input, with nothing to pass on, /dev/null (a
            // command that reads input does not hang).
            XCTAssertEqual(try h1.cmd("test -t 1 && echo tty; cat; echo after cat"), "tty\nafter cat\n")
            XCTAssertTrue(try h1.cmd("ip -br addr").contains("10.0.0.1/8"))
            // A new shell starts where swiftnet runs, as Mininet's do.
            let here = FileManager.default.currentDirectoryPath
            XCTAssertEqual(try net.node("h2").cmd("pwd; echo ${X:-unset}"), "\(here)\nunset\n")
            // A long command line is no problem (no terminal line limit).
            let long = String(repeating: "a", count: 20_000)
            XCTAssertEqual(try h1.cmd("echo \(long) | wc -c"), "20001\n")
            // A ping across the network, by name (the hosts file names every host).
            XCTAssertEqual(try h1.shell("ping -c1 -W2 h2 > /dev/null").status, 0)
        }
    }

    /// What a `&` job prints between commands can be read while no command runs (a
    /// Mininet script polls `node.stdout` for it); once read it is not the next command's.
    func testIdleOutputOfBackgroundJobs() throws {
        try withNetwork(star(2, name: "idle")) { net in
            XCTAssertEqual(try net.runInShell(of: "h1", "(sleep 0.3; echo from-the-job) &").status, 0)
            var seen = ""
            let deadline = Date().addingTimeInterval(5)
            while !seen.contains("from-the-job\n") && Date() < deadline {
                if case .output(let bytes) = try net.idleOutput(of: "h1", wait: .milliseconds(200)) {
                    seen += String(decoding: bytes, as: UTF8.self)
                }
            }
            XCTAssertTrue(seen.contains("from-the-job"), seen)
            XCTAssertEqual(try net.runInShell(of: "h1", "echo next").output, "next\n")
            // Nothing printed: an empty read after the wait.
            XCTAssertEqual(try net.idleOutput(of: "h1", wait: .milliseconds(50)), .output([]))
            // While a command runs, its output is the command's.
            let done = DispatchSemaphore(value: 0)
            let box = NSLock()
            nonisolated(unsafe) var long = ""
            DispatchQueue.global().async {
                let r = try? net.runInShell(of: "h1", "sleep 0.5; echo long-done")
                box.withLock { long = r?.output ?? "failed" }
                done.signal()
            }
            usleep(200_000)
            XCTAssertEqual(try net.idleOutput(of: "h1", wait: .milliseconds(10)), .busy)
            done.wait()
            XCTAssertEqual(box.withLock { long }, "long-done\n")
        }
    }

    func testExitRestartsTheShellAndTimeoutsInterrupt() throws {
        try withNetwork(star(1)) { net in
            let h1 = try net.node("h1")
            _ = try h1.cmd("cd /tmp")
            let r = try h1.shell("exit 7")
            XCTAssertTrue(r.shellExited)
            XCTAssertEqual(r.status, 7)
            // The next command gets a new shell, in the node.
            XCTAssertEqual(try h1.cmd("pwd"), FileManager.default.currentDirectoryPath + "\n")
            // A timeout interrupts the command (SIGINT: 130), not the shell.
            let start = ContinuousClock.now
            let t = try h1.shell("X=1; sleep 30", timeout: .milliseconds(300))
            XCTAssertTrue(t.timedOut)
            XCTAssertEqual(t.status, 130)
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
            XCTAssertEqual(try h1.cmd("echo $X"), "1\n")
            // A command that ignores SIGINT is killed.
            let k = try h1.shell("trap '' INT; sleep 30", timeout: .milliseconds(200))
            XCTAssertTrue(k.timedOut)
            XCTAssertTrue(k.shellExited)
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(6))
            XCTAssertEqual(try h1.cmd("echo alive; echo ${X:-new shell}"), "alive\nnew shell\n")
            // Cancellation throws `interrupted`.
            XCTAssertThrowsError(try h1.shell("sleep 30", isCancelled: { true })) {
                XCTAssertTrue(($0 as? NetworkError)?.isInterrupted ?? false, "\($0)")
            }
        }
    }

    func testBackgroundProcessHandles() throws {
        try withNetwork(star(2)) { net in
            let h1 = try net.node("h1")
            let p = try h1.start(["sh", "-c", "echo started; sleep 300"])
            XCTAssertTrue(p.isRunning)
            XCTAssertNil(p.wait(timeout: .milliseconds(100)))
            let deadline = ContinuousClock.now + .seconds(5)
            while !p.output.contains("started") && ContinuousClock.now < deadline { usleep(10_000) }
            XCTAssertEqual(p.output, "started\n")
            XCTAssertEqual(p.stop(), 128 + SIGTERM)
            XCTAssertFalse(p.isRunning)
            let q = try h1.start(["sh", "-c", "exit 3"])
            XCTAssertEqual(q.wait(timeout: .seconds(5)), 3)
            // One left running is ended by the network's stop (withNetwork checks it).
            _ = try net.node("h2").start(["sleep", "300"])
        }
    }

    func testInterfacesAreTheKernels() throws {
        let topo = Topology("ifs") {
            Host("h1", mac: "02:00:00:00:00:01", ip6: "fd00::1/64")
            Host("h2")
            Switch("s1")
            Link("h1", "s1")
            Link("h2", "s1")
        }
        try withNetwork(topo) { net in
            let h1 = try net.node("h1")
            XCTAssertEqual(h1.mac, "02:00:00:00:00:01")
            XCTAssertEqual(h1.ip6, IPv6Address("fd00::1"))
            let eth0 = try XCTUnwrap(try h1.interfaces().first { $0.name == "h1-eth0" })
            XCTAssertTrue(eth0.isUp)
            XCTAssertEqual(Set(eth0.addresses.filter { if case .v6(let a) = $0 { return !a.address.isLinkLocal } else { return true } }),
                           [IPCIDR("10.0.0.1/8")!, IPCIDR("fd00::1/64")!])
            let ports = try net.node("s1").interfaces().map(\.name)
            XCTAssertEqual(Set(ports), ["s1", "s1-eth1", "s1-eth2"])
        }
    }
}
