import Foundation

/// FRR on the routers for `routing: ospf` or `bgp` (see Network+FRR): each router's
/// daemons, configuration and sockets in its directory of the state directory; the
/// daemons are processes of the run, ended with the others.
final class FRRService: NetworkService, @unchecked Sendable {
    let name = "frr"
    let dependencies = ["state", "userswitch"]
    private let mode: RoutingMode
    private let lifecycle = ServiceLifecycle()
    private let lock = NSLock()
    private var daemons: [String: [String]] = [:]

    /// Nil without dynamic routing.
    init?(_ topology: ValidatedTopology) {
        guard let mode = topology.routing, mode != .static, !topology.routers.isEmpty else { return nil }
        self.mode = mode
    }

    func start(_ net: Network) throws {
        let started = try lifecycle.start { try net.startRouting() }
        lock.withLock { daemons = started }
    }

    func stop() {
        lifecycle.stop()
        lock.withLock { daemons.removeAll() }
    }

    func status() -> ServiceStatus {
        lifecycle.status(name) {
            lock.withLock {
                "\(mode.rawValue): " + daemons.keys.sorted(by: naturalLess).map { "\($0) (\(daemons[$0]!.joined(separator: " ")))" }.joined(separator: ", ")
            }
        }
    }
}
