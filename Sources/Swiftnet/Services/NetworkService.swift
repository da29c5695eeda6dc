import Foundation

/// What a service reports about itself (`swiftnet inspect`, the control API, tests).
public struct ServiceStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        /// Made, not started yet (or its start is still to come).
        case idle
        case running
        case stopped
        /// Its start threw; `detail` says why.
        case failed
    }
    public var name: String
    public var state: State
    /// A line for people: what it serves, how many of what.
    public var detail: String

    public init(name: String, state: State, detail: String = "") {
        self.name = name
        self.state = state
        self.detail = detail
    }
}

/// A part of a running network beyond its namespaces, links and processes (which the
/// core owns): embedded DNS, dnsmasq nodes, FRR, user switches, the state directory,
/// the control API. Each owns its state and its lock.
///
/// The lifecycle is the same for all: every service of a network is made when the
/// network is (before any starts); `start` runs once the core is built, in dependency
/// order; `stop` runs in the reverse order, also after a failed or partial start, and
/// must be safe to call twice.
protocol NetworkService: AnyObject, Sendable {
    /// Unique within a network: "state", "dns", "dnsmasq", "frr", "userswitch", "control".
    var name: String { get }
    /// Services that must be started before this one (and are stopped after it).
    var dependencies: [String] { get }
    func start(_ net: Network) throws
    func stop()
    func status() -> ServiceStatus
}

/// The services of one network in start order (dependencies first).
struct ServiceSet: Sendable {
    let ordered: [any NetworkService]

    /// Orders `services` so that each comes after its dependencies; a dependency that is
    /// not in the set is ignored (the network does not need it), a cycle is a programming
    /// error.
    init(_ services: [any NetworkService]) {
        let byName = Dictionary(uniqueKeysWithValues: services.map { ($0.name, $0) })
        var done: Set<String> = []
        var visiting: Set<String> = []
        var out: [any NetworkService] = []
        func visit(_ s: any NetworkService) {
            if done.contains(s.name) { return }
            precondition(!visiting.contains(s.name), "service dependency cycle through \(s.name)")
            visiting.insert(s.name)
            for d in s.dependencies { if let dep = byName[d] { visit(dep) } }
            visiting.remove(s.name)
            done.insert(s.name)
            out.append(s)
        }
        for s in services { visit(s) }
        ordered = out
    }

    /// Starts every service in order. When one fails, those already started are stopped
    /// (in reverse) before the error is thrown.
    func start(_ net: Network) throws {
        for (i, s) in ordered.enumerated() {
            do {
                try s.start(net)
            } catch {
                for started in ordered[..<i].reversed() { started.stop() }
                throw error
            }
        }
    }

    /// Stops every service, last started first.
    func stop() {
        for s in ordered.reversed() { s.stop() }
    }

    func first<T>(_ type: T.Type) -> T? {
        for s in ordered { if let t = s as? T { return t } }
        return nil
    }

    var statuses: [ServiceStatus] { ordered.map { $0.status() } }
}

/// The state a service that starts something keeps: idle until its start, then running
/// or failed (with why), stopped at the end. Thread-safe.
final class ServiceLifecycle: @unchecked Sendable {
    private let lock = NSLock()
    private var state = ServiceStatus.State.idle
    private var failure = ""

    /// Runs the service's start, recording whether it worked.
    func start<T>(_ body: () throws -> T) throws -> T {
        do {
            let r = try body()
            lock.withLock { state = .running }
            return r
        } catch {
            lock.withLock {
                state = .failed
                failure = "\(error)"
            }
            throw error
        }
    }

    /// Stopped, unless its start failed (that stays the status).
    func stop() {
        lock.withLock { if state != .failed { state = .stopped } }
    }

    /// The status, with `detail` for a service that did not fail (the failure otherwise).
    func status(_ name: String, detail: () -> String) -> ServiceStatus {
        let (s, f) = lock.withLock { (state, failure) }
        return ServiceStatus(name: name, state: s, detail: s == .failed ? f : detail())
    }
}
