import Foundation
import Glibc

/// The limits of the process a run must fit (see `KernelLimits`): open files, checked
/// before the build. (The machine's neighbour table is pingall's to respect: ICMPProbe.)
extension Network {
    /// Refuses a topology that needs more descriptors than the hard RLIMIT_NOFILE allows
    /// once raised as far as the process may (the soft limit is raised to what is needed
    /// when the build starts).
    /// - Throws: `NetworkError` saying how many are needed and `ulimit -n`.
    static func checkOpenFileLimit(for topology: ValidatedTopology) throws {
        raiseHardFileLimit(to: UInt64(topology.openFilesNeeded))
        var lim = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0, lim.rlim_max != rlim_t.max else { return }
        try KernelLimits.checkOpenFiles(needed: topology.openFilesNeeded, hardLimit: UInt64(lim.rlim_max))
    }
}

/// Raises RLIMIT_NOFILE's hard limit to `wanted` when it is lower and the process may
/// (CAP_SYS_RESOURCE, up to fs.nr_open), as root may with `ulimit -Hn`; the soft limit
/// stays as it is.
func raiseHardFileLimit(to wanted: UInt64) {
    var lim = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0, lim.rlim_max != rlim_t.max, lim.rlim_max < wanted else { return }
    lim.rlim_max = rlim_t(wanted)
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
}

/// Raises RLIMIT_NOFILE's soft limit to `wanted` (at most to the hard limit): every host
/// holds a namespace descriptor, and sockets (`ValidatedTopology.openFilesNeeded`).
func raiseFileLimit(to wanted: UInt64) {
    var lim = rlimit()
    raiseHardFileLimit(to: wanted)
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0, lim.rlim_cur < wanted else { return }
    lim.rlim_cur = min(rlim_t(wanted), lim.rlim_max)
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
}
