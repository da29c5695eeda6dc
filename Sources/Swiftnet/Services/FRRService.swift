import Foundation

/// FRR on the routers for `routing: ospf` or `bgp` (see Network+FRR): each router's
/// daemons, configuration and sockets in its directory of the state directory.
final class FRRService: NetworkService, @unchecked Sendable {
    let name = "frr"
    let dependencies = ["state", "userswitch"]
    private let mode: RoutingMode
    private let lock = NSLock()
    private var daemons: [String: [String]] = [:]
    private var state = ServiceStatus.State.idle
    private var failure = ""

    /// Nil without dynamic routing.
    init?(_ topology: ValidatedTopology) {
        guard let mode = topology.routing, mode != .static, !topology.routers.isEmpty else { return nil }
        self.mode = mode
    }

    func start(_ net: Network) throws {
        do {
            let started = try net.startRouting()
            lock.withLock {
                daemons = started
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

    /// The daemons are processes of the run: the core's stop has ended them already.
    func stop() {
        lock.withLock {
            daemons.removeAll()
            if state != .failed { state = .stopped }
        }
    }

    func status() -> ServiceStatus {
        lock.withLock {
            let routers = daemons.keys.sorted(by: naturalLess)
            let detail = state == .failed ? failure
                : "\(mode.rawValue): " + routers.map { "\($0) (\(daemons[$0]!.joined(separator: " ")))" }.joined(separator: ", ")
            return ServiceStatus(name: name, state: state, detail: detail)
        }
    }
}
