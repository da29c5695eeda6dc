import Foundation
import Glibc
import Namespaces

/// `--host cfs|rt` and `--pin` (Mininet's CPULimitedHost and autoPinCpus): each host's
/// processes in a cgroup of the host's own, `/sys/fs/cgroup/cpu/swiftnet/<run>/<host>`,
/// joined by every process started in the host before it execs (so nothing it starts
/// escapes), and on one CPU with `--pin`.
///
/// The cgroups are the run's: written into the run's record (`cgroups` in its state
/// directory, for `swiftnet clean`) and registered with its janitor before they are made,
/// and removed at stop, or by the janitor when swiftnet is killed. `swiftnet` itself goes
/// when no run uses it any more, as /run/swiftnet does.
final class HostPlacement: @unchecked Sendable {
    let limit: CPULimit?
    let pin: Bool
    private let cpus = CPUCgroup.allowedCPUs()
    private let lock = NSLock()
    private var runDirectory: String?
    private var made: [String] = []
    private var realtimeHosts = 0

    static let top = "\(CPUCgroup.root)/swiftnet"

    init(limit: CPULimit?, pin: Bool) {
        self.limit = limit
        self.pin = pin
    }

    /// Why these options cannot be had on this machine for `hosts` hosts, or nil.
    static func unavailable(_ limit: CPULimit?, hosts: Int) -> String? {
        guard let limit else { return nil }
        if let why = CPUCgroup.unavailable(realtime: limit.scheduler == .rt) { return "--host \(limit.scheduler.rawValue): " + why }
        if limit.scheduler == .rt {
            let need = limit.realtimeShare * Double(hosts)
            let have = Double(CPUCgroup.value(CPUCgroup.root, "cpu.rt_runtime_us") ?? 0) / Double(CPUCgroup.value(CPUCgroup.root, "cpu.rt_period_us") ?? 1)
            if need > have {
                return "--host rt,cpu=\(limit.realtimeShare): \(hosts) hosts need \(fmt(need)) of each CPU's real-time time and the kernel allows \(fmt(have)) (cpu.rt_runtime_us / cpu.rt_period_us of \(CPUCgroup.root)): give a smaller cpu= or use cfs"
            }
        }
        return nil
    }

    private static func fmt(_ x: Double) -> String { String(format: "%.2f", x) }

    /// Places host number `index` (from 0, in build order): makes its cgroup and sets
    /// its limit, then tells the runtime where the host's processes go.
    func place(_ host: String, index: Int, namespace fd: Int32, in net: Network) throws {
        var placement = ProcessPlacement()
        if pin { placement.cpu = cpus[index % cpus.count] }
        if let limit {
            let dir = try lock.withLock { try makeCgroup(host, limit, net) }
            placement.cgroupProcs = "\(dir)/cgroup.procs"
            if limit.scheduler == .rt { placement.realtimePriority = CPULimit.realtimePriority }
        }
        try net.runtime().place(processesIn: fd, placement)
    }

    private func makeCgroup(_ host: String, _ limit: CPULimit, _ net: Network) throws -> String {
        let run = try makeRunDirectory(net)
        let dir = "\(run)/\(host)"
        try record(dir, net)
        do {
            try CPUCgroup.make(dir)
            switch limit.scheduler {
            case .cfs:
                let (period, quota) = limit.cfsPeriodAndQuota(cpus: cpus.count)
                try CPUCgroup.set(dir, "cpu.cfs_period_us", period)
                try CPUCgroup.set(dir, "cpu.cfs_quota_us", quota)
            case .rt:
                try reserveRealtime(hosts: realtimeHosts + 1, limit, run)
                realtimeHosts += 1
                try CPUCgroup.set(dir, "cpu.rt_period_us", limit.periodMicroseconds)
                try CPUCgroup.set(dir, "cpu.rt_runtime_us", limit.realtimeRuntime)
            }
        } catch {
            throw NetworkError("\(host): cannot limit its CPU time (--host \(limit.scheduler.rawValue)) in \(dir): \(error)")
        }
        return dir
    }

    /// `swiftnet/<run>`, named after the run's state directory (`<run>.<pid>.<n>`, ours alone).
    private func makeRunDirectory(_ net: Network) throws -> String {
        if let runDirectory { return runDirectory }
        let id = URL(fileURLWithPath: try net.state.directory()).lastPathComponent
        let run = "\(Self.top)/\(id)"
        try record(Self.top, net)
        try record(run, net)
        // Another run's janitor may remove `swiftnet` between our two mkdirs: make it again.
        var attempt = 0
        while true {
            do {
                try CPUCgroup.make(Self.top)
                try CPUCgroup.make(run)
                break
            } catch let e as NamespaceError where e.errno == ENOENT && attempt < 10 {
                attempt += 1
            }
        }
        runDirectory = run
        return run
    }

    /// Writes `dir` into the run's record and registers it with the janitor, before it
    /// is made: a crash in between leaves nothing that is not written down.
    private func record(_ dir: String, _ net: Network) throws {
        made.append(dir)
        try net.state.write("cgroups", made.joined(separator: "\n") + "\n")
        try net.state.janitorProcess().register(.removeCgroup(dir))
    }

    /// Real-time time is handed down: `swiftnet` must hold what its runs hold, and the
    /// run what its hosts hold, before a host may have any.
    private func reserveRealtime(hosts: Int, _ limit: CPULimit, _ run: String) throws {
        let need = limit.realtimeShare * Double(hosts)
        func share(_ dir: String) -> Double {
            Double(CPUCgroup.value(dir, "cpu.rt_runtime_us") ?? 0) / Double(CPUCgroup.value(dir, "cpu.rt_period_us") ?? 1_000_000)
        }
        let others = CPUCgroup.children(of: Self.top).filter { $0 != run }.map(share).reduce(0, +)
        for (dir, ratio) in [(Self.top, others + need), (run, need)] {
            let period = CPUCgroup.value(dir, "cpu.rt_period_us") ?? 1_000_000
            do {
                try CPUCgroup.set(dir, "cpu.rt_runtime_us", Int((ratio * Double(period)).rounded(.up)))
            } catch {
                throw NetworkError("the hosts need \(String(format: "%.2f", ratio)) of each CPU's real-time time in \(dir), more than the kernel has left (\(error)): give a smaller cpu= or use cfs")
            }
        }
    }
}

extension Network {
    /// Places a host's processes when `--host` or `--pin` asks for it (see `HostPlacement`).
    /// Call without holding the network's lock.
    func placeProcesses(of host: String, index: Int, namespace fd: Int32) throws {
        try hostPlacement?.place(host, index: index, namespace: fd, in: self)
    }

    /// Exits early, before anything is built, when the machine cannot limit CPU time as
    /// `options` ask for `hosts` hosts. - Throws: `NetworkError` saying why and what to use.
    public static func checkCPULimitSupport(_ options: NetworkOptions, hosts: Int) throws {
        if let why = HostPlacement.unavailable(options.cpuLimit, hosts: hosts) { throw NetworkError(why) }
    }
}
