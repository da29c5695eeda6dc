import Foundation
import Glibc

/// The `kind: dns` hosts' dnsmasq servers (see Network+DNSNodes): started once the
/// network forwards (they are checked by connecting to them across it), each a
/// background process of the run.
final class DNSNodesService: NetworkService, @unchecked Sendable {
    let name = "dnsmasq"
    let dependencies = ["state", "userswitch"]
    private let lock = NSLock()
    private var servers: [(node: String, pid: pid_t)] = []
    private var state = ServiceStatus.State.idle
    private var failure = ""

    /// Nil when the topology has no dns host.
    init?(_ topology: ValidatedTopology) {
        guard topology.hosts.contains(where: { $0.kind == .dns }) else { return nil }
    }

    func start(_ net: Network) throws {
        do {
            let started = try net.startDNSNodes()
            lock.withLock {
                servers = started.map { (node: $0.0, pid: $0.1) }
                state = .running
            }
        } catch {
            lock.withLock {
                state = .failed
                failure = "\(error)"
            }
            throw error
        }
    }

    /// The servers are processes of the run: the core's stop has ended them already.
    func stop() {
        lock.withLock {
            servers.removeAll()
            if state != .failed { state = .stopped }
        }
    }

    func status() -> ServiceStatus {
        lock.withLock {
            ServiceStatus(name: name, state: state,
                          detail: state == .failed ? failure : servers.map { "dnsmasq in \($0.node) (pid \($0.pid))" }.joined(separator: ", "))
        }
    }
}
