import Foundation
import Glibc
import CShims
import Namespaces
import Netlink

/// swiftnet without root. An unprivileged user's `swiftnet` (the shell, `run`, `test`,
/// `python`) runs again as PID 1 of a user namespace of its own, where the user is root,
/// with network, mount and PID namespaces of its own (util-linux's `unshare` makes them);
/// the process the user started supervises it (`superviseIfWanted`). Inside, /run is a
/// private tmpfs (so /run/netns and the rest are the run's alone) and /run/swiftnet is the
/// user's own state directory (`$XDG_RUNTIME_DIR/swiftnet`, else `/tmp/swiftnet-UID`,
/// mode 0711), where the control socket (mode 0600) and the run records stay reachable
/// from outside.
///
/// Nothing it makes can outlive it on the machine: the namespaces belong to its processes
/// and go with them, and the machine's namespaces and files (outside the user's own) are
/// out of its reach. With a range in /etc/subuid and /etc/subgid (and newuidmap and
/// newgidmap) the range is mapped after root, so programs that drop to another user (FRR's
/// `frr`, dnsmasq's `nobody`) can; without one, only the user itself is mapped.
///
/// `SWIFTNET_ROOTLESS=0` turns it off (the missing-privileges message, as before).
enum Rootless {
    static let marker = "SWIFTNET_ROOTLESS_INSIDE"
    static let unshare = "/usr/bin/unshare"
    /// The commands that build a network (the default command is the shell).
    static let building: Set<String> = ["start", "run", "test", "python"]

    /// Whether this process runs as a rootless swiftnet (inside the namespaces).
    static var inside: Bool { getenv(marker) != nil }

    /// Why rootless runs cannot happen here, or nil when they can.
    static func unavailable() -> String? {
        if let v = getenv("SWIFTNET_ROOTLESS").map({ String(cString: $0) }), ["0", "off", "no", "false"].contains(v.lowercased()) {
            return "SWIFTNET_ROOTLESS=\(v) turns rootless runs off"
        }
        guard access(unshare, X_OK) == 0 else { return "\(unshare) (util-linux) is missing" }
        if let max = try? String(contentsOfFile: "/proc/sys/user/max_user_namespaces", encoding: .utf8),
           Int(max.trimmingCharacters(in: .whitespacesAndNewlines)) == 0 {
            return "the kernel allows no user namespaces (user.max_user_namespaces is 0)"
        }
        if let clone = try? String(contentsOfFile: "/proc/sys/kernel/unprivileged_userns_clone", encoding: .utf8),
           clone.trimmingCharacters(in: .whitespacesAndNewlines) == "0" {
            return "the kernel allows unprivileged user namespaces to no one (kernel.unprivileged_userns_clone is 0)"
        }
        return nil
    }

    /// The subordinate range of `user` (by name or uid) in /etc/subuid or /etc/subgid.
    static func subordinate(_ file: String, name: String, id: UInt32) -> (start: UInt32, count: UInt32)? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count == 3, f[0] == name || f[0] == "\(id)", let s = UInt32(f[1]), let c = UInt32(f[2]), c > 0 else { continue }
            return (s, c)
        }
        return nil
    }

    /// How the user's ids are mapped: "the user alone" or the ranges.
    static func mapping() -> (arguments: [String], description: String) {
        let uid = getuid(), gid = getgid()
        let name = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "\(uid)"
        let tools = access("/usr/bin/newuidmap", X_OK) == 0 && access("/usr/bin/newgidmap", X_OK) == 0
        if tools, let u = subordinate("/etc/subuid", name: name, id: uid), let g = subordinate("/etc/subgid", name: name, id: uid) {
            return (["--map-user=0", "--map-group=0", "--map-users=\(u.start),1,\(u.count)", "--map-groups=\(g.start),1,\(g.count)"],
                    "\(name) as root, and \(u.count) subordinate uids and \(g.count) gids from /etc/subuid and /etc/subgid as 1-\(u.count)")
        }
        return (["--map-root-user"], "\(name) as root, no other ids (\(name) has no range in /etc/subuid and /etc/subgid, or newuidmap is missing)")
    }

    /// The user's state directory for rootless runs.
    static func stateDirectory() -> String {
        if let x = getenv("XDG_RUNTIME_DIR").map({ String(cString: $0) }), !x.isEmpty, access(x, W_OK) == 0 {
            return x + "/swiftnet"
        }
        return "/tmp/swiftnet-\(getuid())"
    }

    /// What `swiftnet doctor` says of the mode a run of this user gets.
    static func modeDescription() -> String {
        if let state = rootlessState { return "rootless (inside a rootless run; state in \(state))" }
        if RequiredCapability.missingMessage() == nil {
            return geteuid() == 0 ? "root: networks in the machine's namespaces, state in /run/swiftnet"
                : "privileged user (the capabilities, not root): networks in the machine's namespaces"
        }
        if geteuid() == 0 { return "none: root without the capabilities (a container?); rootless runs are for users, not root" }
        if let why = unavailable() { return "none: rootless runs are not possible: \(why)" }
        return "rootless: own user, network, mount and PID namespaces (\(mapping().description)); state in \(stateDirectory())"
    }

    /// The subcommand `argv` names (the shell's "start" by default; "help" for help and
    /// the version).
    static func subcommand(_ argv: [String]) -> String {
        guard argv.count >= 2 else { return "start" }
        let first = argv[1]
        if ["help", "-h", "--help", "--version"].contains(first) { return "help" }
        let names = Root.configuration.subcommands.map { $0._commandName }
        return names.contains(first) ? first : "start"
    }

    /// For an unprivileged user whose command builds a network: runs swiftnet again in
    /// its own user, network, mount and PID namespaces and exits with its status (does
    /// not return), or returns when that is not wanted or not possible (the usual
    /// missing-privileges message follows).
    ///
    /// The swiftnet inside is PID 1 of its PID namespace, so when it ends every process
    /// of the run ends with it. This process stays as its supervisor: signals sent to it
    /// (kill) are passed on, those from the terminal reach both already; if this process
    /// is killed, the one inside sees its pipe close and stops as on SIGTERM.
    static func superviseIfWanted(_ argv: [String]) {
        guard geteuid() != 0, !inside, rootlessState == nil, building.contains(subcommand(argv)),
              RequiredCapability.missingMessage() != nil, unavailable() == nil else { return }
        let state = stateDirectory()
        if mkdir(state, 0o711) != 0 && errno != EEXIST { return }
        var st = stat()
        // Ours alone: another user's /tmp/swiftnet-UID is refused.
        guard lstat(state, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == getuid() else {
            FileHandle.standardError.write(Data("swiftnet: \(state) is not a directory of yours: remove it, or set XDG_RUNTIME_DIR\n".utf8))
            exit(2)
        }
        // Others may pass through (FRR's daemons run as frr), not list it; the control
        // socket keeps its own 0700 directory and mode 0600.
        _ = chmod(state, 0o711)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? argv[0]
        setenv(marker, state, 1)
        setenv(watchMarker, "\(fds[0])", 1)
        let args = [unshare] + mapping().arguments
            + ["--net", "--mount", "--pid", "--kill-child", "--mount-proc", "--propagation", "private", "--", exe] + argv.dropFirst()
        var cargs = args.map { strdup($0) }
        cargs.append(nil)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, unshare, nil, nil, &cargs, environ)
        close(fds[0])
        unsetenv(marker)
        unsetenv(watchMarker)
        guard spawned == 0 else {
            FileHandle.standardError.write(Data("swiftnet: cannot run \(unshare) for a rootless run: \(String(cString: strerror(spawned)))\n".utf8))
            exit(2)
        }
        _ = sn_forward_signals(0)
        // The swiftnet inside is unshare's child.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8),
               let inner = text.split(separator: " ").first.flatMap({ Int32($0) }) {
                sn_forward_target(inner)
                break
            }
            if waitpid(pid, nil, WNOHANG) != 0 { break }
            usleep(2_000)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WTERMSIG, spelt out (the C macros do not come through).
        let signal = status & 0x7F
        if signal == 0 { exit((status >> 8) & 0xFF) }
        Glibc.signal(signal, SIG_DFL)
        raise(signal)
        exit(128 + signal)
    }

    /// The pipe whose closing tells the swiftnet inside that its supervisor is gone.
    static let watchMarker = "SWIFTNET_ROOTLESS_WATCH"

    /// Inside: /run becomes the run's own tmpfs, with the user's state directory at
    /// /run/swiftnet. Exits with a message when the mounts fail.
    static func prepareInside() {
        guard let state = getenv(marker).map({ String(cString: $0) }) else { return }
        // The state directory is reached by a descriptor: the tmpfs hides it when it is
        // under /run (XDG_RUNTIME_DIR is /run/user/UID).
        let fd = open(state, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        func fail(_ what: String) -> Never {
            FileHandle.standardError.write(Data("swiftnet: rootless run: \(what): \(String(cString: strerror(errno)))\n".utf8))
            exit(2)
        }
        guard fd >= 0 else { fail("cannot open \(state)") }
        let mounted = "mode=0755".withCString { mount("tmpfs", "/run", "tmpfs", UInt(MS_NOSUID | MS_NODEV), $0) }
        guard mounted == 0 else { fail("cannot mount a tmpfs on /run") }
        guard mkdir("/run/swiftnet", 0o700) == 0 else { fail("cannot make /run/swiftnet") }
        guard mount("/proc/self/fd/\(fd)", "/run/swiftnet", nil, UInt(MS_BIND), nil) == 0 else { fail("cannot bind \(state) on /run/swiftnet") }
        close(fd)
        // The new network namespace's loopback starts down; Foundation's run loop (which
        // notices a child's exit, for one) needs it.
        try? RouteSocket().setLink(index: 1, name: "lo", up: true)
        if let w = getenv(watchMarker).flatMap({ Int32(String(cString: $0)) }) {
            _ = fcntl(w, F_SETFD, FD_CLOEXEC)
            let watcher = Thread {
                var byte: UInt8 = 0
                while read(w, &byte, 1) > 0 {}
                // The supervisor is gone (killed): stop as on SIGTERM; if nothing handles
                // it (PID 1 ignores what it does not handle), end anyway.
                kill(getpid(), SIGTERM)
                sleep(5)
                _exit(143)
            }
            watcher.start()
            unsetenv(watchMarker)
        }
        // Programs started from here (a script, the Python layer's engine) are inside
        // already: they must not mount again. They can tell from this.
        unsetenv(marker)
        setenv(stateMarker, state, 1)
    }

    /// Set inside a rootless run (to the user's state directory) once it is prepared.
    static let stateMarker = "SWIFTNET_ROOTLESS_STATE"

    /// The user's state directory when this process runs rootless, or nil.
    static var rootlessState: String? { getenv(stateMarker).map { String(cString: $0) } }
}
