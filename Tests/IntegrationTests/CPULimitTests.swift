import Foundation
import Namespaces
import Swiftnet
import XCTest

/// `--host cfs|rt` and `--pin` (Mininet's CPULimitedHost): a cgroup per host that every
/// process of the host joins before it execs, gone after the run however it ends.
final class CPULimitTests: FileTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try requireRoot()
        try requireProgram(CLI.binary, "swiftnet (swift build)")
        try requireProgram("/usr/bin/python3", "python3")
        if let why = CPUCgroup.unavailable(realtime: false) { throw MissingPrerequisite("the project's machine has a cgroup v1 cpu controller: \(why)") }
    }

    /// A busy loop in the host for 1.5 s of wall time; prints the CPU time it got per
    /// second (its own utime + stime, as /proc/PID/stat counts them).
    let busy = #"python3 -c "import os,time; t=time.time(); c=os.times(); exec('while time.time()-t<1.5: pass'); d=os.times(); print('RATIO %.3f' % ((d[0]+d[1]-c[0]-c[1])/(time.time()-t)))""#

    func ratio(_ output: String) -> Double? {
        guard let r = output.range(of: #"RATIO [\d.]+"#, options: .regularExpression) else { return nil }
        return Double(output[r].dropFirst(6))
    }

    func testCFSLimitsABusyLoopAndLeavesNoCgroup() throws {
        let before = try RootSnapshot.take()
        let cpus = Double(CPUCgroup.allowedCPUs().count)
        let cmds = try write("cfs.txt", """
            h1 \(busy)
            h1 cat /proc/self/cgroup
            h2 sh -c 'cat /proc/self/cgroup'
            sh cat /sys/fs/cgroup/cpu/swiftnet/*/h1/cpu.stat /sys/fs/cgroup/cpu/swiftnet/*/h1/cpu.cfs_quota_us
            pingall
            """)
        let r = try CLI.run(["--topo", "single,2", "--host", "cfs,cpu=0.1"], stdin: cmds)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let got = try XCTUnwrap(ratio(r.stdout), r.stdout)
        XCTAssertLessThanOrEqual(got, 0.1 * cpus * 1.5, r.stdout)
        XCTAssertGreaterThan(got, 0.02, "the loop ran: \(r.stdout)")
        XCTAssertNotNil(r.stdout.range(of: #"cpu:/swiftnet/single-2\.\d+\.\d+/h1\n"#, options: .regularExpression), r.stdout)
        XCTAssertNotNil(r.stdout.range(of: #"cpu:/swiftnet/single-2\.\d+\.\d+/h2\n"#, options: .regularExpression), "children of a host's programs are in its cgroup: \(r.stdout)")
        XCTAssertNotNil(r.stdout.range(of: #"nr_throttled [1-9]"#, options: .regularExpression), r.stdout)
        XCTAssertTrue(r.stdout.contains("\n\(Int(100_000 * 0.1 * cpus))\n"), "quota = period x cpu x CPUs: \(r.stdout)")
        XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (2/2 received)"), r.stdout)
        XCTAssertEqual(try RootSnapshot.take(), before)
    }

    func testRealtimeHostsRunRoundRobinWithinTheirShare() throws {
        guard CPUCgroup.unavailable(realtime: true) == nil else {
            throw kernelLacks("CONFIG_RT_GROUP_SCHED", "--host rt needs real-time group scheduling")
        }
        let before = try RootSnapshot.take()
        let cmds = try write("rt.txt", "h1 chrt -p $$\nh1 \(busy)\nsh cat /sys/fs/cgroup/cpu/swiftnet/*/h2/cpu.rt_runtime_us\n")
        let r = try CLI.run(["--topo", "single,2", "--host", "rt,cpu=0.1"], stdin: cmds)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("scheduling policy: SCHED_RR") && r.stdout.contains("scheduling priority: 20"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\n10000\n"), "runtime = period x cpu: \(r.stdout)")
        let got = try XCTUnwrap(ratio(r.stdout), r.stdout)
        XCTAssertLessThanOrEqual(got, 0.1 * 1.5, r.stdout)
        XCTAssertEqual(try RootSnapshot.take(), before)
    }

    func testPinPutsHostIOnCPUIModN() throws {
        let cpus = CPUCgroup.allowedCPUs()
        let cmds = try write("pin.txt", "h1 grep Cpus_allowed_list /proc/self/status\nh2 sh -c 'grep Cpus_allowed_list /proc/self/status'\nh3 grep Cpus_allowed_list /proc/self/status\n")
        let r = try CLI.run(["--topo", "single,3", "--pin", "-v", "output"], stdin: cmds)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let lists = r.stdout.split(separator: "\n").map { $0.split(separator: "\t").last.map(String.init) ?? "" }
        XCTAssertEqual(lists, (0..<3).map { "\(cpus[$0 % cpus.count])" }, r.stdout)
    }

    func testSIGKILLLeavesNoCgroupAndCleanRemovesWhatAKilledJanitorLeft() throws {
        let before = try RootSnapshot.take()
        let cmds = try write("bg.txt", "h1 sleep 300 &\nh2 sleep 300\n")
        // The janitor removes the cgroups once swiftnet is gone.
        var (p, _) = try CLI.start(["--topo", "single,2", "--host", "cfs,cpu=0.2"], waitFor: "[1]", stdin: cmds)
        XCTAssertNotEqual(try RootSnapshot.take().cgroups, before.cgroups, "the run has cgroups")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertTrue(try eventually(10) { try RootSnapshot.take() == before }, "leftovers: \(String(describing: try? RootSnapshot.take())); janitor: \(janitorState())")

        // Janitor killed too: the run's record tells `-c` what to remove.
        (p, _) = try CLI.start(["--topo", "single,2", "--host", "cfs,cpu=0.2"], waitFor: "[1]", stdin: cmds)
        let janitors = childPIDs(of: p.processIdentifier).filter {
            (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.hasPrefix("swiftnet-janit") == true
        }
        XCTAssertEqual(janitors.count, 1, janitorState())
        for j in janitors { kill(j, SIGKILL) }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let left = try RootSnapshot.take()
        XCTAssertTrue(left.cgroups.contains { $0.hasSuffix("/h1") }, "\(left.cgroups)")
        var clean = try CLI.run(["-c"])
        XCTAssertTrue(try eventually(5) {
            if try RootSnapshot.take() == before { return true }
            clean = try CLI.run(["-c"])  // the run's processes may still be exiting
            return false
        }, "leftovers: \(String(describing: try? RootSnapshot.take())): \(clean.stdout)")
        XCTAssertTrue(clean.stdout.contains("removed the cgroup /sys/fs/cgroup/cpu/swiftnet/single-2."), clean.stdout)
    }

    func testBadHostOptionsAreRefusedBeforeAnythingIsBuilt() throws {
        let before = try RootSnapshot.take()
        for (value, says) in [("bogus", "unknown host kind 'bogus'"), ("cfs,cpu=2", "cpu=2: give the fraction"),
                              ("cfs,cpu=0", "cpu=0: give the fraction"), ("cfs,period_us=10", "period_us=10: give microseconds"),
                              ("rt", "rt needs cpu=F"), ("cfs,shares=3", "unknown host parameter 'shares'"),
                              ("process,cpu=0.5", "a process host takes no parameters"),
                              ("rt,cpu=0.9", "2 hosts need 1.80 of each CPU's real-time time")] {
            let r = try CLI.run(["--topo", "single,2", "--host", value, "--test", "pingall"])
            XCTAssertEqual(r.status, 2, "\(value): \(r.stdout + r.stderr)")
            XCTAssertTrue(r.stderr.contains("--host \(value.split(separator: ",").first!)") && r.stderr.contains(says), "\(value): \(r.stderr)")
            XCTAssertFalse(r.stdout.contains("*** Creating network"), r.stdout)
        }
        XCTAssertEqual(try RootSnapshot.take(), before)
        let plain = try CLI.run(["--topo", "single,2", "--host", "proc", "--test", "pingall"])
        XCTAssertEqual(plain.status, 0, plain.stdout + plain.stderr)
    }

    /// A machine without the cpu controller, or without real-time group scheduling, is
    /// told so in one line (a fake controller directory stands for such machines).
    func testMissingControllerOrRealtimeSchedulingIsSaid() throws {
        XCTAssertTrue(CPUCgroup.unavailable(realtime: false, root: "\(dir)/none")?.contains("no cgroup v1 cpu controller at \(dir)/none") == true)
        for f in ["cgroup.procs", "cpu.cfs_quota_us"] { XCTAssertTrue(FileManager.default.createFile(atPath: "\(dir)/\(f)", contents: nil)) }
        XCTAssertNil(CPUCgroup.unavailable(realtime: false, root: dir))
        let rt = try XCTUnwrap(CPUCgroup.unavailable(realtime: true, root: dir))
        XCTAssertTrue(rt.contains("no real-time group scheduling") && rt.contains("use --host cfs"), rt)
    }
}
