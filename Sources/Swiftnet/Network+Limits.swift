import Foundation
import Glibc

/// The limits of the process and the machine a run must fit (see `KernelLimits`): open
/// files, checked before the build, and the neighbour table, explained after a pingall
/// it made lose pings.
extension Network {
    /// Refuses a topology that needs more descriptors than the hard RLIMIT_NOFILE allows
    /// (the soft limit is raised to what is needed when the build starts).
    /// - Throws: `NetworkError` saying how many are needed and `ulimit -n`.
    static func checkOpenFileLimit(for topology: ValidatedTopology) throws {
        var lim = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0, lim.rlim_max != rlim_t.max else { return }
        try KernelLimits.checkOpenFiles(needed: topology.openFilesNeeded, hardLimit: UInt64(lim.rlim_max))
    }

    /// The machine's neighbour table size (`net.ipv4.neigh.default.gc_thresh3`), shared
    /// by every namespace; nil when it cannot be read.
    static func neighbourTableLimit() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/neigh/default/gc_thresh3", encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Why a pingall among `hosts` lost pings, when the neighbour table is the likely
    /// cause: it needed more entries at once than the machine's table holds.
    func neighbourTableNote(among hosts: [String], limit: Int?) -> String? {
        guard let limit else { return nil }
        let needed = topology.neighbourEntriesForPingAll(among: hosts)
        guard needed > limit else { return nil }
        return "*** This pingall needed \(needed) ARP entries at once, and the kernel's neighbour table holds \(limit) for the whole machine (net.ipv4.neigh.default.gc_thresh3), so pings past it were lost (dmesg: neighbor table overflow): raise it with sysctl -w net.ipv4.neigh.default.gc_thresh3=\((needed / 1024 + 2) * 1024) (and gc_thresh2, gc_thresh1 below it), or ping fewer hosts at once"
    }
}

/// Raises RLIMIT_NOFILE's soft limit to `wanted` (at most to the hard limit): every host
/// holds a namespace descriptor, and sockets (`ValidatedTopology.openFilesNeeded`).
func raiseFileLimit(to wanted: UInt64) {
    var lim = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0, lim.rlim_cur < wanted else { return }
    lim.rlim_cur = min(rlim_t(wanted), lim.rlim_max)
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
}
