import Foundation
import Swiftnet
import XCTest

/// swiftnet without root, as real unprivileged users: one the test makes (with a
/// subordinate range in /etc/subuid and /etc/subgid) and removes, and `nobody` (no
/// range). The machine's namespaces, mounts and files are the same afterwards, the
/// account files byte for byte, and no process of the user is left.
final class RootlessTests: XCTestCase {
    /// A user the test adds to /etc/passwd, /etc/group, /etc/subuid and /etc/subgid, and
    /// takes out again by writing the four files back as they were.
    struct TestUser {
        let name: String
        let uid: UInt32
        let home: String
        let saved: [(path: String, data: Data?, mode: Int)]

        static let files = ["/etc/passwd", "/etc/group", "/etc/subuid", "/etc/subgid"]

        static func make(uid: UInt32, subordinate: (start: UInt32, count: UInt32)) throws -> TestUser {
            let name = "swnrl\(uid)"
            guard getpwuid(uid) == nil, getpwnam(name) == nil else { throw MissingPrerequisite("uid \(uid) or \(name) exists already") }
            var saved: [(String, Data?, Int)] = []
            for f in files {
                let mode = ((try? FileManager.default.attributesOfItem(atPath: f))?[.posixPermissions] as? Int) ?? 0o644
                saved.append((f, FileManager.default.contents(atPath: f), mode))
            }
            let home = NSTemporaryDirectory() + "swiftnet-rootless-home-\(uid)"
            let user = TestUser(name: name, uid: uid, home: home, saved: saved)
            func append(_ path: String, _ line: String) throws {
                var data = FileManager.default.contents(atPath: path) ?? Data()
                if let last = data.last, last != 0x0A { data.append(0x0A) }
                data.append(Data((line + "\n").utf8))
                try data.write(to: URL(fileURLWithPath: path))
            }
            do {
                try append("/etc/passwd", "\(name):x:\(uid):\(uid):swiftnet rootless test:\(home):/usr/sbin/nologin")
                try append("/etc/group", "\(name):x:\(uid):")
                try append("/etc/subuid", "\(name):\(subordinate.start):\(subordinate.count)")
                try append("/etc/subgid", "\(name):\(subordinate.start):\(subordinate.count)")
                try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
                chown(home, uid, uid)
            } catch {
                user.remove()
                throw error
            }
            return user
        }

        func remove() {
            for s in saved {
                if let data = s.data {
                    try? data.write(to: URL(fileURLWithPath: s.path))
                    chmod(s.path, mode_t(s.mode))
                } else {
                    unlink(s.path)
                }
            }
            try? FileManager.default.removeItem(atPath: home)
            try? FileManager.default.removeItem(atPath: "/tmp/swiftnet-\(uid)")
        }
    }

    /// The account files as they are now.
    func accountFiles() -> [Data?] { TestUser.files.map { FileManager.default.contents(atPath: $0) } }

    /// Processes whose real uid is `uid` (or in the user's subordinate range).
    func processes(of uid: UInt32, range: ClosedRange<UInt32>? = nil) -> [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return all.filter { Int($0) != nil }.compactMap { pid in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }),
                  let real = line.split(separator: "\t").dropFirst().first.flatMap({ UInt32($0) }) else { return nil }
            guard real == uid || (range?.contains(real) ?? false) else { return nil }
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            return "\(pid) \(comm)"
        }
    }

    /// A folder every user can read, with a copy of the binary and the examples (the
    /// checkout itself may be out of other users' reach).
    func publicCopy() throws -> String {
        let dir = NSTemporaryDirectory() + "swiftnet-rootless-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/Examples", withIntermediateDirectories: true)
        chmod(dir, 0o755)
        try FileManager.default.copyItem(atPath: CLI.binary, toPath: dir + "/swiftnet")
        for f in ["web-lab.yaml", "ospf-failover.yaml", "dnsmasq-lab.yaml"] {
            try FileManager.default.copyItem(atPath: CLI.packageRoot + "/Examples/" + f, toPath: dir + "/Examples/" + f)
        }
        return dir
    }

    /// The command prefix that runs as `uid`, in `home` (the test's own directory may be
    /// out of the user's reach, and a web server in a host serves the directory it starts in).
    func asUser(_ uid: UInt32, home: String, groups: String = "--init-groups") -> [String] {
        ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(uid == 65534 ? 65534 : uid)", groups,
         "/usr/bin/env", "--chdir=\(home)", "-u", "XDG_RUNTIME_DIR", "HOME=\(home)"]
    }

    func testRootlessAsACreatedUserWithASubordinateRange() throws {
        try requireRoot()
        for p in ["/usr/bin/setpriv", "/usr/bin/unshare", "/usr/bin/newuidmap", "/usr/bin/newgidmap", "/usr/bin/env"] {
            try requireProgram(p, p)
        }
        let before = try RootSnapshot.take()
        let accounts = accountFiles()
        let dir = try publicCopy()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let user = try TestUser.make(uid: 64_123, subordinate: (1_640_000, 65_536))
        var removed = false
        defer { if !removed { user.remove() } }
        let me = asUser(user.uid, home: user.home)
        func run(_ args: [String], stdin: String? = nil, timeout: TimeInterval = 180) throws -> CLI.Output {
            try runProgram(me + [dir + "/swiftnet"] + args, stdin: stdin, timeout: timeout)
        }

        let doctor = try run(["doctor"])
        XCTAssertTrue(doctor.stdout.contains("rootless: own user, network, mount and PID namespaces"), doctor.stdout)
        XCTAssertTrue(doctor.stdout.contains("65536 subordinate uids"), doctor.stdout)

        let ping = try run(["--topo", "tree,2,2", "--test", "pingall"])
        XCTAssertEqual(ping.status, 0, ping.stdout + ping.stderr)
        XCTAssertTrue(ping.stdout.contains("*** Results: 0% dropped (12/12 received)"), ping.stdout + ping.stderr)

        // The YAML experiments, the Swift-free path, with the report where the user can write.
        let report = user.home + "/report.xml"
        let web = try run(["test", dir + "/Examples/web-lab.yaml", "--junit", report])
        XCTAssertEqual(web.status, 0, web.stdout + web.stderr)
        let xml = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(xml.contains("failures=\"0\""), xml)
        let owner = (try FileManager.default.attributesOfItem(atPath: report))[.ownerAccountID] as? NSNumber
        XCTAssertEqual(owner?.uint32Value, user.uid, "the report is the user's")

        // FRR (its daemons run as frr) and dnsmasq (it drops to nobody) need the range.
        let ospf = try run(["test", dir + "/Examples/ospf-failover.yaml"])
        XCTAssertEqual(ospf.status, 0, ospf.stdout + ospf.stderr)
        let dns = try run(["test", dir + "/Examples/dnsmasq-lab.yaml"])
        XCTAssertEqual(dns.status, 0, dns.stdout + dns.stderr)

        // The shell from a script.
        let script = user.home + "/commands"
        try "pingall\nh1 ping -c 1 h2\nexit\n".write(toFile: script, atomically: true, encoding: .utf8)
        let shell = try run(["--topo", "single,2"], stdin: script)
        XCTAssertEqual(shell.status, 0, shell.stdout + shell.stderr)
        XCTAssertTrue(shell.stdout.contains("0% dropped (2/2 received)"), shell.stdout)
        XCTAssertTrue(shell.stdout.contains("1 received"), shell.stdout)

        // The state directory is the user's; nothing is left in it.
        var st = stat()
        XCTAssertEqual(lstat("/tmp/swiftnet-\(user.uid)", &st), 0)
        XCTAssertEqual(st.st_uid, user.uid)
        XCTAssertEqual(st.st_mode & 0o777, 0o711)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "/tmp/swiftnet-\(user.uid)"), [])

        XCTAssertEqual(processes(of: user.uid, range: 1_640_000...1_705_535), [], "no process of the user is left")
        user.remove()
        removed = true
        XCTAssertEqual(accountFiles(), accounts, "the account files are as they were")
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// `nobody` has no subordinate range: only itself is mapped. Pingall works, the
    /// control socket is its own (0600) while the shell runs, SIGTERM to the process it
    /// started stops the run, and SIGKILL of it ends the run too (the inner swiftnet sees
    /// its pipe close). SWIFTNET_ROOTLESS=0 gives the old message.
    func testRootlessAsNobodySignalsAndTheSocket() throws {
        try requireRoot()
        try requireProgram("/usr/bin/setpriv", "setpriv (util-linux)")
        try requireProgram("/usr/bin/unshare", "unshare (util-linux)")
        let before = try RootSnapshot.take()
        let dir = try publicCopy()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let home = dir + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        chown(home, 65534, 65534)
        let me = asUser(65534, home: home, groups: "--clear-groups")
        defer { try? FileManager.default.removeItem(atPath: "/tmp/swiftnet-65534") }

        let ping = try runProgram(me + [dir + "/swiftnet", "--topo", "linear,3", "--test", "pingall"], timeout: 120)
        XCTAssertEqual(ping.status, 0, ping.stdout + ping.stderr)
        XCTAssertTrue(ping.stdout.contains("0% dropped (6/6 received)"), ping.stdout + ping.stderr)

        // What a rootless run cannot have is refused in one line, exit 2.
        let cpu = try runProgram(me + [dir + "/swiftnet", "--topo", "single,2", "--host", "cfs,cpu=0.5", "--test", "pingall"], timeout: 60)
        XCTAssertEqual(cpu.status, 2, cpu.stdout + cpu.stderr)
        XCTAssertTrue(cpu.stderr.contains("which a rootless run cannot write"), cpu.stderr)

        let off = try runProgram(me + ["SWIFTNET_ROOTLESS=0", dir + "/swiftnet", "--topo", "minimal", "--test", "pingall"], timeout: 60)
        XCTAssertEqual(off.status, 2, off.stdout + off.stderr)
        XCTAssertTrue(off.stderr.contains("CAP_NET_ADMIN"), off.stderr)

        // Processes of nobody's that are not the test's (none, usually).
        let others = Set(processes(of: 65534))
        func ours() -> [String] { processes(of: 65534).filter { !others.contains($0) } }
        for signal in [SIGTERM, SIGKILL] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: me[0])
            p.arguments = Array(me.dropFirst()) + [dir + "/swiftnet", "--topo", "single,2"]
            let input = Pipe(), out = Pipe()
            p.standardInput = input
            p.standardOutput = out
            p.standardError = out
            try p.run()
            // The socket appears once the network is up.
            var socket: String?
            let deadline = Date().addingTimeInterval(30)
            while socket == nil && Date() < deadline {
                let runs = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp/swiftnet-65534")) ?? []
                socket = runs.map { "/tmp/swiftnet-65534/\($0)/control/api.sock" }.first { FileManager.default.fileExists(atPath: $0) }
                usleep(50_000)
            }
            let path = try XCTUnwrap(socket, "no control socket in /tmp/swiftnet-65534")
            var st = stat()
            XCTAssertEqual(lstat(path, &st), 0)
            XCTAssertEqual(st.st_uid, 65534, "the socket is nobody's")
            XCTAssertEqual(st.st_mode & 0o777, 0o600)
            XCTAssertFalse(ours().isEmpty)
            // setpriv execs: the PID is swiftnet's, the supervisor.
            let t0 = Date()
            kill(p.processIdentifier, signal)
            p.waitUntilExit()
            let gone = Date().addingTimeInterval(signal == SIGKILL ? 10 : 5)
            while !ours().isEmpty && Date() < gone { usleep(50_000) }
            XCTAssertEqual(ours(), [], "after signal \(signal) no process of the run is left")
            let seconds = Date().timeIntervalSince(t0)
            XCTAssertLessThan(seconds, signal == SIGKILL ? 10 : 3, "signal \(signal): the run ended in \(seconds) s")
            if signal == SIGTERM { XCTAssertEqual(p.terminationStatus, 130, "the supervisor exits as the run did (an interrupted run: 130, as with root)") }
            try? input.fileHandleForWriting.close()
        }
        XCTAssertEqual(before, try RootSnapshot.take())
    }
}
