import Foundation
import Glibc
import Namespaces

/// What a run left in the root mount namespace, written to `/run/swiftnet/<run>.run`
/// so that `swiftnet clean` can undo exactly that, and nothing else, after a crash
/// that took the janitor with it.
///
/// Format: first line `pid <pid> start <starttime>`, then one published path a line.
public enum RunRecord {
    public static let directory = "/run/swiftnet"

    static func write(name: String, paths: [String], janitor: Janitor) throws {
        let file = "\(directory)/\(name).run"
        let pid = getpid()
        var text = "pid \(pid) start \(processStartTime(pid) ?? 0)\n"
        for p in paths { text += p + "\n" }
        try makeEntry(janitor: janitor, registering: .removeFile(file)) {
            FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) ? 0 : ENOENT
        }
    }

    /// Makes one entry of /run/swiftnet with `create` (which returns 0 or an errno),
    /// registering it with the janitor first. /run/swiftnet itself is made when missing
    /// and removed by the janitor when the run ends if no other run uses it then, so a
    /// machine that had none has none afterwards. Another run's janitor may remove it
    /// between our mkdir and `create`: then it is made again.
    static func makeEntry(janitor: Janitor, registering task: Janitor.Task, _ create: () -> Int32) throws {
        // Registered before the entry, so the janitor (newest first) tries it after.
        janitor.register(.removeDirectory(directory))
        janitor.register(task)
        var err: Int32 = 0
        for _ in 0..<10 {
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw NetworkError("cannot create \(directory): \(String(cString: strerror(errno)))")
            }
            err = create()
            if err != ENOENT { break }
        }
        if err != 0 {
            throw NetworkError("cannot create an entry of \(directory): \(String(cString: strerror(err)))")
        }
    }

    /// The start time of a process (field 22 of /proc/PID/stat), to tell a live owner
    /// from a new process that reused its pid.
    static func processStartTime(_ pid: pid_t) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); starttime is field 22.
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// One thing `clean` did or left alone.
    public struct CleanAction: Sendable {
        public var run: String
        public var description: String
    }

    /// Removes the cgroups a dead run recorded (`--host cfs|rt`), newest first: only
    /// directories under the cpu controller's `swiftnet/`, and only empty ones (rmdir).
    static func removeCgroups(listedIn record: String, run: String) -> [CleanAction] {
        guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return [] }
        let prefix = CPUCgroup.root + "/swiftnet"
        var actions: [CleanAction] = []
        for dir in text.split(separator: "\n").map(String.init).reversed()
        where (dir == prefix || dir.hasPrefix(prefix + "/")) && !dir.contains("/../") && access(dir, F_OK) == 0 {
            if CPUCgroup.remove(dir, patience: .zero) {
                actions.append(CleanAction(run: run, description: "removed the cgroup \(dir)"))
            } else if dir != prefix {
                actions.append(CleanAction(run: run, description: "cannot remove the cgroup \(dir): \(String(cString: strerror(errno)))"))
            }
        }
        return actions
    }

    /// Removes what dead runs left: their published namespaces and their record.
    /// Runs whose owner is still alive are left alone and reported.
    public static func cleanLeftovers() -> [CleanAction] {
        var actions: [CleanAction] = []
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        // State directories (`<run>.<pid>.<n>/` with an `owner` file) of dead runs.
        for f in files.sorted() {
            let dir = "\(directory)/\(f)"
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { continue }
            let owner = (try? String(contentsOfFile: "\(dir)/owner", encoding: .utf8)) ?? ""
            let head = owner.split(whereSeparator: { $0 == " " || $0 == "\n" })
            // Without its owner file (killed before writing it), the name tells the pid:
            // <run>.<pid>.<n>; the directory is left alone while that pid lives.
            let parts = f.split(separator: ".")
            if head.count < 4 {
                guard parts.count >= 3, let pid = pid_t(parts[parts.count - 2]) else { continue }
                if kill(pid, 0) == 0 {
                    actions.append(CleanAction(run: f, description: "state directory \(dir) may belong to a live process (pid \(pid)); left alone"))
                    continue
                }
            } else if let pid = pid_t(head[1]), let start = UInt64(head[3]),
               let now = processStartTime(pid), now == start {
                actions.append(CleanAction(run: f, description: "state directory \(dir) belongs to a live run (pid \(head[1])); left alone"))
                continue
            }
            actions += removeCgroups(listedIn: "\(dir)/cgroups", run: f)
            if (try? FileManager.default.removeItem(atPath: dir)) != nil {
                actions.append(CleanAction(run: f, description: "removed the state directory \(dir)"))
            }
        }
        for f in files.sorted() where f.hasSuffix(".run") {
            let run = String(f.dropLast(4))
            let path = "\(directory)/\(f)"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            var lines = text.split(separator: "\n").map(String.init)
            guard !lines.isEmpty else { try? FileManager.default.removeItem(atPath: path); continue }
            let head = lines.removeFirst().split(separator: " ")
            if head.count == 4, let pid = pid_t(head[1]), let start = UInt64(head[3]),
               let now = processStartTime(pid), now == start {
                actions.append(CleanAction(run: run, description: "run '\(run)' is still running (pid \(pid)); left alone"))
                continue
            }
            for p in lines.reversed() where p.hasPrefix("/run/netns/") {
                _ = umount2(p, Int32(MNT_DETACH))
                if (try? FileManager.default.removeItem(atPath: p)) != nil {
                    actions.append(CleanAction(run: run, description: "removed \(p)"))
                }
            }
            try? FileManager.default.removeItem(atPath: path)
            actions.append(CleanAction(run: run, description: "removed the record of run '\(run)'"))
        }
        return actions
    }
}
