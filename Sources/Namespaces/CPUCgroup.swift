import CShims
import Foundation
import Glibc

/// The cgroup v1 `cpu` controller: directories, their limits, and whether the kernel has
/// what a limit needs. Only what a run makes is touched; nothing here deletes by pattern.
public enum CPUCgroup {
    /// Where the cpu controller is mounted (cgroup v1).
    public static let root = "/sys/fs/cgroup/cpu"

    /// Why a limit cannot be had here, or nil when it can: the cpu controller must be
    /// mounted with `cpu.cfs_quota_us` (cfs), and `cpu.rt_runtime_us` for `realtime`
    /// (a kernel built with CONFIG_RT_GROUP_SCHED).
    public static func unavailable(realtime: Bool, root: String = root) -> String? {
        guard access("\(root)/cgroup.procs", F_OK) == 0, access("\(root)/cpu.cfs_quota_us", F_OK) == 0 else {
            return "no cgroup v1 cpu controller at \(root) (with cpu.cfs_quota_us), which CPU limits need; mount it (mount -t cgroup -o cpu cgroup \(root)) or run without --host"
        }
        if access(root, W_OK) != 0 {
            return getenv("SWIFTNET_ROOTLESS_STATE") != nil
                ? "CPU limits need the cgroup v1 cpu controller, which a rootless run cannot write (\(root) is root's): run as root for --host, or without it"
                : "\(root) is not writable here: CPU limits need root (or a cgroup delegated to this user)"
        }
        if realtime && access("\(root)/cpu.rt_runtime_us", F_OK) != 0 {
            return "this kernel has no real-time group scheduling (CONFIG_RT_GROUP_SCHED: \(root)/cpu.rt_runtime_us is missing); use --host cfs,cpu=F instead"
        }
        return nil
    }

    /// Makes a cgroup directory. - Returns: false when it existed already.
    /// - Throws: `NamespaceError` for any other failure.
    /// Equivalent to: `mkdir DIR` (cgcreate).
    @discardableResult
    public static func make(_ dir: String) throws -> Bool {
        if mkdir(dir, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw NamespaceError("mkdir \(dir)", errno: errno)
    }

    /// Writes one value of a cgroup. Equivalent to: `echo VALUE > DIR/KEY` (cgset).
    /// - Throws: `NamespaceError` naming the file and the value.
    public static func set(_ dir: String, _ key: String, _ value: Int) throws {
        let path = "\(dir)/\(key)"
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NamespaceError("open \(path)", errno: errno) }
        defer { close(fd) }
        let bytes = Array("\(value)\n".utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else {
            throw NamespaceError("write \(value) to \(path)", errno: errno)
        }
    }

    /// One integer value of a cgroup, or nil when it cannot be read.
    public static func value(_ dir: String, _ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "\(dir)/\(key)", encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The child cgroups of a directory (their paths).
    public static func children(of dir: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return entries.map { "\(dir)/\($0)" }.filter { p in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: p, isDirectory: &isDir) && isDir.boolValue
        }
    }

    /// Removes an empty cgroup, waiting (up to `patience`) while exiting processes still
    /// belong to it. - Returns: true when it is gone (or was not there).
    /// Equivalent to: `rmdir DIR` (cgdelete).
    @discardableResult
    public static func remove(_ dir: String, patience: Duration = .seconds(5)) -> Bool {
        let deadline = ContinuousClock.now + patience
        while true {
            if rmdir(dir) == 0 || errno == ENOENT { return true }
            guard errno == EBUSY, ContinuousClock.now < deadline else { return false }
            usleep(10_000)
        }
    }

    /// The CPUs this process may run on (its affinity), in order.
    public static func allowedCPUs() -> [Int32] {
        var cpus = [Int32](repeating: 0, count: 1024)
        let n = sn_allowed_cpus(&cpus, Int32(cpus.count))
        return n > 0 ? Array(cpus[0..<Int(n)]) : [0]
    }
}

/// Where the processes started in one network namespace go before they exec: a cgroup
/// to join, a real-time priority, a CPU to stay on. Set with `ProcessRuntime.place`.
public struct ProcessPlacement: Sendable, Hashable {
    /// A cgroup's `cgroup.procs` file: the child writes "0" to it first thing, so it and
    /// everything it starts belong to that cgroup.
    public var cgroupProcs: String?
    /// > 0: the child runs SCHED_RR at this priority (after joining the cgroup).
    public var realtimePriority: Int32 = 0
    /// The only CPU the child may run on, or nil for any.
    public var cpu: Int32?

    public init(cgroupProcs: String? = nil, realtimePriority: Int32 = 0, cpu: Int32? = nil) {
        self.cgroupProcs = cgroupProcs
        self.realtimePriority = realtimePriority
        self.cpu = cpu
    }
}
