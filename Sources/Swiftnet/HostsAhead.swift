import Foundation
import Namespaces
import Netlink

/// Makes the hosts' namespaces on a thread of its own, ahead of the build's links, so the
/// kernel's work for a new namespace (setup_net) overlaps the links' veths on the other
/// core. Each host gets its namespace, its sysctls and its loopback up; the build takes
/// them in order (`take`). The thread stays at most `lead` hosts ahead, so the namespaces
/// waiting for their links stay few.
final class HostsAhead: @unchecked Sendable {
    static let lead = 256

    private let condition = NSCondition()
    private var made: [NetworkNamespace] = []
    private var taken = 0
    private var failure: (index: Int, error: any Error)?
    private var stopping = false
    private var running = true
    private let count: Int

    /// - Parameter sysctls: what each host's namespace gets, by the hosts' order.
    init(sysctls: [[(String, String)]], names: [String]) {
        count = sysctls.count
        let t = Thread { [self] in produce(sysctls, names) }
        t.name = "swiftnet-hosts"
        t.start()
    }

    private func produce(_ sysctls: [[(String, String)]], _ names: [String]) {
        defer {
            condition.lock()
            running = false
            condition.broadcast()
            condition.unlock()
        }
        for i in 0..<count {
            condition.lock()
            while made.count - taken >= Self.lead && !stopping { condition.wait() }
            let stop = stopping
            condition.unlock()
            if stop { return }
            do {
                let ns = try NetworkNamespace()
                if !sysctls[i].isEmpty { try ns.setSysctls(sysctls[i]) }
                try RouteSocket(namespaceFD: ns.fd).setLink(index: 1, name: "lo (\(names[i]))", up: true)
                condition.lock()
                made.append(ns)
                condition.broadcast()
                condition.unlock()
            } catch {
                condition.lock()
                failure = (i, error)
                condition.unlock()
                return
            }
        }
    }

    /// The namespace of host `index` (the hosts are taken in order, each once), waiting
    /// for it if need be. - Throws: what making it threw; `NetworkError.interrupted` when
    /// `cancelled` says so while waiting.
    func take(_ index: Int, cancelled: () -> Bool) throws -> NetworkNamespace {
        condition.lock()
        defer { condition.unlock() }
        precondition(index == taken, "hosts are taken in order")
        while made.count <= index {
            if let f = failure, f.index <= index { throw f.error }
            if !running { throw NetworkError("the namespace of host \(index + 1) was not made") }
            condition.unlock()
            let interrupted = cancelled()
            condition.lock()
            if interrupted { throw NetworkError.interrupted }
            _ = condition.wait(until: Date().addingTimeInterval(0.1))
        }
        let ns = made[index]
        taken += 1
        condition.broadcast()
        return ns
    }

    /// Stops the thread and waits for it; namespaces it made that were not taken close.
    func finish() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        for i in taken..<made.count { made[i].close() }
        made.removeAll()
        condition.unlock()
    }
}
