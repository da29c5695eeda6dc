import Foundation
import Glibc
import Namespaces

/// Every host's own resolv.conf and hosts files, in the run's state directory (see
/// `StateService`).
extension Network {
    /// The run's state directory, made on first use.
    public func stateDirectory() throws -> String { try state.directory() }

    /// Writes a file into the state directory (registered with the janitor first).
    @discardableResult
    func writeStateFile(_ file: String, _ text: String) throws -> String { try state.write(file, text) }

    /// Registers a file that a program of the run will create in the state directory.
    func stateFilePath(_ file: String) throws -> String { try state.path(file) }

    /// The resolv.conf and hosts files of a host, written on first use.
    /// - Throws: `NetworkError` for a node that is not a host.
    public func hostFiles(of host: String) throws -> HostFiles {
        guard let h = topology.host(host) else {
            throw NetworkError("'\(host)' is not a host of this network")
        }
        hostFilesLock.lock()
        defer { hostFilesLock.unlock() }
        if let f = hostFilesCache[host] { return f }
        if h.dns.usesEmbeddedServer { try ensureEmbeddedDNS(in: host) }
        let resolv = try writeStateFile("\(host).resolv.conf", h.dns.resolvConf())
        let hosts = try writeStateFile("\(host).hosts", hostsFileText(for: h))
        var f = HostFiles(resolvConf: resolv, hosts: hosts, hostname: host)
        if h.isRouter, let mode = topology.routing, mode != .static, let dir = state.existingDirectory {
            // FRR's daemons and vtysh look in /var/run/frr: there, the router's own directory.
            f.extraBind = BindMount(source: "\(dir)/frr-\(host)", target: "/var/run/frr")
        }
        hostFilesCache[host] = f
        return f
    }

    /// localhost, the host itself, and (when no DNS server of the run answers for the
    /// nodes) every other host, so that `ping h2` works inside h1 either way. Under the
    /// Kubernetes and Docker policies, only the host itself, as kubelet and dockerd write it.
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
        if !servedByDNS && h.dns.hostsFileNamesAll {
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
