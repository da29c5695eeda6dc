import Foundation
import Glibc
import Namespaces

/// The run's state directory and every host's own resolv.conf and hosts files.
///
/// Files live in `/run/swiftnet/<run>.<pid>.<n>/` (a tmpfs): `<host>.resolv.conf`,
/// `<host>.hosts`, and the logs of servers the run starts. A janitor process removes them
/// when the run ends, even by SIGKILL; `swiftnet clean` removes what a dead run left if
/// the janitor died too (the directory's `owner` file names the process).
extension Network {
    /// The run's state directory, made on first use.
    public func stateDirectory() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        return try makeStateDirectoryLocked()
    }

    func makeStateDirectoryLocked() throws -> String {
        if let d = stateDirectoryPath { return d }
        let j = try janitorLocked()
        let n = Network.stateCounter.next()
        let dir = "\(RunRecord.directory)/\(name).\(getpid()).\(n)"
        // The whole directory, not only the files registered one by one: a file being
        // written when swiftnet is killed (a temporary of an atomic write) goes too.
        // The name holds our pid and a counter, so it is this run's alone.
        do {
            try RunRecord.makeEntry(janitor: j, registering: .removeTree(dir)) { mkdir(dir, 0o755) == 0 ? 0 : errno }
        } catch {
            throw NetworkError("cannot create the run's state directory \(dir): \(error)")
        }
        stateDirectoryPath = dir
        let pid = getpid()
        try writeStateFileLocked("owner", "pid \(pid) start \(RunRecord.processStartTime(pid) ?? 0)\n")
        return dir
    }

    /// Writes a file into the state directory (registered with the janitor first).
    @discardableResult
    func writeStateFileLocked(_ file: String, _ text: String) throws -> String {
        let dir = try makeStateDirectoryLocked()
        let path = "\(dir)/\(file)"
        try janitorLocked().register(.removeFile(path))
        // Written in place, not by rename of a temporary: only registered names appear.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw NetworkError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw NetworkError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return path
    }

    /// Registers a file that a program of the run will create in the state directory.
    func stateFilePath(_ file: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let path = "\(try makeStateDirectoryLocked())/\(file)"
        try janitorLocked().register(.removeFile(path))
        return path
    }

    func janitorLocked() throws -> Janitor {
        if let j = janitor { return j }
        let j = try Janitor()
        janitor = j
        return j
    }

    /// The resolv.conf and hosts files of a host, written on first use.
    /// - Throws: `NetworkError` for a node that is not a host.
    public func hostFiles(of host: String) throws -> HostFiles {
        guard let h = topology.host(host) else {
            throw NetworkError("'\(host)' is not a host of this network")
        }
        lock.lock()
        defer { lock.unlock() }
        if let f = hostFilesCache[host] { return f }
        if h.dns.policy == .embedded { try ensureEmbeddedDNSLocked(in: host) }
        let machine = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        let resolv = try writeStateFileLocked("\(host).resolv.conf", h.dns.resolvConf(machine: machine))
        let hosts = try writeStateFileLocked("\(host).hosts", hostsFileText(for: h))
        var f = HostFiles(resolvConf: resolv, hosts: hosts, hostname: host)
        if h.isRouter, let mode = topology.routing, mode != .static, let dir = stateDirectoryPath {
            // FRR's daemons and vtysh look in /var/run/frr: there, the router's own directory.
            f.extraBind = BindMount(source: "\(dir)/frr-\(host)", target: "/var/run/frr")
        }
        hostFilesCache[host] = f
        return f
    }

    /// localhost, the host itself, and (when no DNS server of the run answers for the
    /// nodes) every other host, so that `ping h2` works inside h1 either way.
    func hostsFileText(for h: ResolvedHost) -> String {
        var lines = [
            "# written by swiftnet for this emulated host",
            "127.0.0.1\tlocalhost",
            "::1\tlocalhost ip6-localhost ip6-loopback",
        ]
        func line(_ host: ResolvedHost) -> String {
            let names = (topology.domain.map { ["\(host.name).\($0)"] } ?? []) + [host.name]
            return "\(host.ip.address)\t\(names.joined(separator: " "))"
        }
        lines.append(line(h))
        let servedByDNS = h.dns.policy == .embedded || topology.hosts.contains { $0.kind == .dns && h.dns.nameservers.contains(.v4($0.ip.address)) }
        if !servedByDNS {
            for other in topology.hosts where other.name != h.name { lines.append(line(other)) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Numbers the state directories of the networks of one process.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
