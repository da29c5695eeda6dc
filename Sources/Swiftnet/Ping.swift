import Dispatch
import Foundation
import Namespaces

/// One ping from a host to a node or address.
public struct PingResult: Sendable, Hashable {
    public var source: String
    /// The destination as asked (node name or address).
    public var destination: String
    public var address: String
    public var received: Bool
    /// Round-trip time in milliseconds, when a reply came.
    public var rttMilliseconds: Double?
}

/// The outcome of pinging every host from every other host.
public struct PingAllResult: Sendable {
    /// In order: for each source host (topology order), each destination.
    public var results: [PingResult]
    public var sent: Int { results.count }
    public var received: Int { results.filter(\.received).count }
    /// Percentage lost, truncated to an integer as Mininet prints it.
    public var droppedPercent: Int { sent == 0 ? 0 : Int(100.0 * Double(sent - received) / Double(sent)) }
    public var allReceived: Bool { received == sent }

    /// Mininet's pingall table: one line per source in `hosts` ("h1 -> h2 X h4 ", X for a
    /// lost ping), with `full` each pair's result under it, then the results line. The
    /// shell, the command line and scripts all print this.
    public func mininetLines(hosts: [String], full: Bool = false) -> [String] {
        var bySource: [String: [PingResult]] = [:]
        for r in results { bySource[r.source, default: []].append(r) }
        var lines: [String] = []
        for h in hosts {
            let rs = bySource[h] ?? []
            lines.append("\(h) -> " + rs.map { $0.received ? $0.destination : "X" }.joined(separator: " ") + " ")
            if full {
                for r in rs {
                    lines.append("   \(h) -> \(r.destination): " + (r.rttMilliseconds.map { String(format: "1/1, rtt %.3f ms", $0) } ?? "0/1"))
                }
            }
        }
        lines.append("*** Results: \(droppedPercent)% dropped (\(received)/\(sent) received)")
        return lines
    }
}

extension Network {
    /// The IPv4 address of a host, or `target` itself when it is an address.
    public func address(of target: String) throws -> String {
        if let h = topology.host(target) { return h.ip.address.description }
        if IPv4Address(target) != nil || target.contains(":") { return target }
        throw NetworkError("'\(target)' is neither a host of this network nor an IP address")
    }

    /// Sends one ICMP echo from `source` to `target` with `ping -c1 -W timeout` inside
    /// the source host. Equivalent to Mininet's `h1.cmd('ping -c1', h2.IP())`.
    /// - Throws: `NetworkError.interrupted` when cancelled (`isCancelled` or `options.isCancelled`).
    public func ping(from source: String, to target: String, timeout: Int = 1,
                     isCancelled: () -> Bool = { false }) throws -> PingResult {
        let addr = try address(of: target)
        let r = try runNetworkOnly(on: source, ["ping", "-n", "-c1", "-W\(timeout)", addr], timeout: .seconds(timeout + 5),
                                   isCancelled: isCancelled)
        var rtt: Double?
        if let range = r.stdout.range(of: "time=") {
            let rest = r.stdout[range.upperBound...]
            rtt = Double(rest.prefix { $0.isNumber || $0 == "." })
        }
        return PingResult(source: source, destination: target, address: addr, received: r.succeeded, rttMilliseconds: rtt)
    }

    /// How `pingAll` sends its pings.
    public enum PingMethod: Sendable {
        /// ICMP echoes from raw sockets opened inside each source host, all at once:
        /// the same packets as `ping`, without a process per pair.
        case icmp
        /// The `ping` program, once per pair, `parallelism` at a time.
        case program(parallelism: Int)
    }

    /// Pings every host from every other host.
    /// - Parameters:
    ///   - hosts: the hosts to include (default: all, in topology order).
    ///   - timeout: seconds to wait for replies. The default, 3, outlasts two ARP
    ///     retransmissions (one a second), so one lost ARP request on a freshly built
    ///     network does not count as unreachable; `ping -c1` without `-W`, as Mininet's
    ///     pingall runs it, waits up to 10 s.
    ///   - isCancelled: checked before each ping program; cancelled pings count as lost.
    public func pingAll(hosts: [String]? = nil, timeout: Int = 3, method: PingMethod = .icmp,
                        isCancelled: @escaping @Sendable () -> Bool = { false }) -> PingAllResult {
        let names = hosts ?? topology.endHosts.map(\.name)
        var pairs: [(String, String)] = []
        for s in names { for d in names where d != s { pairs.append((s, d)) } }
        if case .icmp = method, let r = try? ICMPProbe(net: self).run(pairs, timeout: .seconds(timeout)) {
            return PingAllResult(results: r)
        }
        var parallelism = 64
        if case .program(let p) = method { parallelism = p }
        let results = UnsafeResults(count: pairs.count)
        let queue = DispatchQueue(label: "swiftnet.pingall", attributes: .concurrent)
        let slots = DispatchSemaphore(value: max(1, parallelism))
        let group = DispatchGroup()
        for (i, pair) in pairs.enumerated() {
            slots.wait()
            group.enter()
            queue.async {
                defer { slots.signal(); group.leave() }
                var r = PingResult(source: pair.0, destination: pair.1,
                                   address: (try? self.address(of: pair.1)) ?? pair.1, received: false)
                if !isCancelled(), let done = try? self.ping(from: pair.0, to: pair.1, timeout: timeout) { r = done }
                results.set(i, r)
            }
        }
        group.wait()
        return PingAllResult(results: results.values)
    }
}

/// Results written by many threads, each to its own slot.
final class UnsafeResults: @unchecked Sendable {
    private var slots: [PingResult?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: PingResult) { lock.lock(); slots[i] = r; lock.unlock() }
    var values: [PingResult] { lock.lock(); defer { lock.unlock() }; return slots.compactMap { $0 } }
}
