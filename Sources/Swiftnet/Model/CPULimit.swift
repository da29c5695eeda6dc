import Foundation

/// How much CPU time each host's processes may use: Mininet's `--host cfs|rt` (its
/// CPULimitedHost). Each host gets a cgroup of its own (see Network+CPULimits).
///
/// `fraction` is Mininet's `cpu`: a share of the whole machine, all CPUs together. With
/// `cfs` a host may use `fraction × CPUs` CPUs' worth of time per period (cpu=0.5 on
/// two CPUs: one CPU's worth); with `rt` its processes run SCHED_RR and get
/// `fraction` of each period on each CPU, as Mininet's `rtInfo`.
public struct CPULimit: Sendable, Hashable, Codable {
    public enum Scheduler: String, Sendable, Hashable, Codable {
        /// The completely fair scheduler's bandwidth limit (cpu.cfs_quota_us).
        case cfs
        /// Real-time group scheduling (cpu.rt_runtime_us), processes at SCHED_RR.
        case rt
    }
    public var scheduler: Scheduler
    /// 0 < fraction <= 1; nil: no limit (cfs only; the host still has its own cgroup).
    public var fraction: Double?
    /// The period the quota is given over, in microseconds (1000 to 1000000).
    public var periodMicroseconds: Int = 100_000

    public init(scheduler: Scheduler, fraction: Double? = nil, periodMicroseconds: Int = 100_000) {
        self.scheduler = scheduler
        self.fraction = fraction
        self.periodMicroseconds = periodMicroseconds
    }

    /// The real-time priority of a `rt` host's processes (Mininet's `rtprio`).
    public static let realtimePriority: Int32 = 20

    /// Parses Mininet's `--host` value: `process` (or `proc`, Mininet's name) is nil,
    /// no limit; `cfs[,cpu=F][,period_us=N]`; `rt,cpu=F[,period_us=N]`.
    /// - Throws: `TopologyError` naming the bad part.
    public static func parse(option text: String) throws -> CPULimit? {
        var parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let kind = parts.removeFirst()
        if kind == "process" || kind == "proc" {
            guard parts.isEmpty else { throw TopologyError("a process host takes no parameters ('\(parts.joined(separator: ","))'); use cfs,cpu=F or rt,cpu=F to limit CPU time") }
            return nil
        }
        guard let scheduler = Scheduler(rawValue: kind) else {
            throw TopologyError("unknown host kind '\(kind)': use process, cfs[,cpu=F][,period_us=N] or rt,cpu=F[,period_us=N]")
        }
        var limit = CPULimit(scheduler: scheduler)
        for p in parts {
            let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, !kv[1].isEmpty else { throw TopologyError("'\(p)' is not NAME=VALUE; write for example cfs,cpu=0.5,period_us=100000") }
            switch kv[0] {
            case "cpu":
                guard let f = Double(kv[1]), f > 0, f <= 1 else {
                    throw TopologyError("cpu=\(kv[1]): give the fraction of the machine's CPU time each host may use, above 0 and at most 1, such as cpu=0.5")
                }
                limit.fraction = f
            case "period_us":
                guard let n = Int(kv[1]), (1000...1_000_000).contains(n) else {
                    throw TopologyError("period_us=\(kv[1]): give microseconds from 1000 to 1000000, such as period_us=100000")
                }
                limit.periodMicroseconds = n
            default:
                throw TopologyError("unknown host parameter '\(kv[0])'; the parameters are cpu and period_us")
            }
        }
        if scheduler == .rt && limit.fraction == nil {
            throw TopologyError("rt needs cpu=F (the real-time share of each CPU per host, such as rt,cpu=0.1), or use cfs for no limit")
        }
        return limit
    }

    /// The cfs period and quota of one host on a machine of `cpus` CPUs: quota =
    /// period × fraction × cpus; a quota under the kernel's 1 ms minimum is raised to it
    /// and the period lengthened to keep the share (as Mininet's `cfsInfo`). -1: no limit.
    public func cfsPeriodAndQuota(cpus: Int) -> (period: Int, quota: Int) {
        guard let f = fraction else { return (periodMicroseconds, -1) }
        let quota = Int(Double(periodMicroseconds) * f * Double(cpus))
        if quota < 1000 { return (min(1_000_000, Int(1000 / f / Double(cpus))), 1000) }
        return (periodMicroseconds, quota)
    }

    /// The rt period and runtime of one host: runtime = period × fraction (on each CPU).
    public var realtimeRuntime: Int { Int(Double(periodMicroseconds) * (fraction ?? 0)) }

    /// What one host takes of each CPU's real-time time (runtime / period).
    public var realtimeShare: Double { fraction ?? 0 }
}
