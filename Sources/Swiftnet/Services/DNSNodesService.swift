import Foundation
import Glibc

/// The `kind: dns` hosts' dnsmasq servers (see Network+DNSNodes): started once the
/// network forwards (they are checked by connecting to them across it), each a
/// background process of the run, ended with the run's other processes.
final class DNSNodesService: NetworkService, @unchecked Sendable {
    let name = "dnsmasq"
    let dependencies = ["state", "userswitch"]
    private let lifecycle = ServiceLifecycle()
    private let lock = NSLock()
    private var servers: [(node: String, pid: pid_t)] = []

    /// Nil when the topology has no dns host.
    init?(_ topology: ValidatedTopology) {
        guard topology.hosts.contains(where: { $0.kind == .dns }) else { return nil }
    }

    func start(_ net: Network) throws {
        let started = try lifecycle.start { try net.startDNSNodes() }
        lock.withLock { servers = started.map { (node: $0.0, pid: $0.1) } }
    }

    func stop() {
        lifecycle.stop()
        lock.withLock { servers.removeAll() }
    }

    func status() -> ServiceStatus {
        lifecycle.status(name) {
            lock.withLock { servers.map { "dnsmasq in \($0.node) (pid \($0.pid))" }.joined(separator: ", ") }
        }
    }
}
