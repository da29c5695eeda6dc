import CShims
import Glibc

/// A small process that undoes what a run made in the root mount namespace (the
/// `/run/netns` bind mounts of `--netns-names`, state files) when the run ends, even if
/// swiftnet itself is killed with SIGKILL: it acts when its pipe from swiftnet closes.
public final class Janitor: @unchecked Sendable {
    public let pid: pid_t
    private var fd: Int32

    /// Starts the janitor. - Throws: `NamespaceError` when fork fails.
    public init() throws {
        var w: Int32 = -1
        let pid = sn_janitor_start(&w)
        if pid < 0 { throw NamespaceError("fork janitor", errno: -pid) }
        self.pid = pid
        self.fd = w
    }

    /// What the janitor undoes, newest first, at the end.
    public enum Task {
        /// Unmount and remove a bind-mount target.
        case unmount(String)
        /// Remove a file.
        case removeFile(String)
        /// Remove an (empty) directory.
        case removeDirectory(String)
        /// Remove a directory and everything in it (symlinks are not followed).
        case removeTree(String)
        /// Remove a cgroup directory, waiting up to 5 s while exiting processes hold it.
        case removeCgroup(String)
    }

    /// Registers something to undo. Register before creating it, so a crash in between
    /// leaves nothing behind (undoing something that does not exist is harmless).
    public func register(_ task: Task) {
        let line: String
        switch task {
        case .unmount(let p): line = "U \(p)\n"
        case .removeFile(let p): line = "F \(p)\n"
        case .removeDirectory(let p): line = "D \(p)\n"
        case .removeTree(let p): line = "R \(p)\n"
        case .removeCgroup(let p): line = "C \(p)\n"
        }
        var bytes = Array(line.utf8)
        _ = write(fd, &bytes, bytes.count)
    }

    /// Lets the janitor do its work now and waits until it is done. Safe to call twice.
    public func finish() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    deinit { finish() }
}
