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

/// One source's part of a pingall: whether each other host answered its ping.
public struct PingAllRow: Sendable {
    public var source: String
    /// The other hosts, in order.
    public var destinations: [String]
    /// For each destination: did it answer?
    public var received: [Bool]
    /// For each destination: the round-trip time in milliseconds, when it answered and
    /// the time was kept (see `PingAllResult.roundTripTimeLimit`).
    public var rttMilliseconds: [Double?]

    /// Mininet's line for this source: "h1 -> h2 X h4 " (X for a lost ping).
    public var mininetLine: String {
        "\(source) -> " + zip(destinations, received).map { $1 ? $0 : "X" }.joined(separator: " ") + " "
    }

    /// The line, and with `full` each pair's result under it ("   h1 -> h2: 1/1, rtt 0.051 ms").
    public func mininetLines(full: Bool = false) -> [String] {
        var lines = [mininetLine]
        if full {
            for k in destinations.indices {
                let outcome = !received[k] ? "0/1" : rttMilliseconds[k].map { String(format: "1/1, rtt %.3f ms", $0) } ?? "1/1"
                lines.append("   \(source) -> \(destinations[k]): \(outcome)")
            }
        }
        return lines
    }
}

/// The outcome of pinging every host from every other host, kept compactly: one bit per
/// pair (and, up to `roundTripTimeLimit` pairs, a 4-byte round-trip time), not a value
/// per ping; 2,500 hosts' 6.2 million pairs take under 1 MB.
///
/// A source's results count once all its pings are done (`isComplete(source:)`); an
/// interrupted pingall holds the sources completed before the interruption.
public struct PingAllResult: Sendable {
    /// Networks with at most this many pairs keep every round-trip time (4 MB).
    public static let roundTripTimeLimit = 1 << 20

    /// The hosts, in order: each pinged every other.
    public let hosts: [String]
    /// The address pinged for each host.
    public let addresses: [String]
    private var receivedBits: [UInt64]
    private var rtts: [Float32]
    private var completed: [Bool]
    /// Pings of the completed sources.
    public private(set) var sent = 0
    /// Replies among them.
    public private(set) var received = 0
    /// The pingall was cancelled (Ctrl-C) before every source completed.
    public internal(set) var interrupted = false

    init(hosts: [String], addresses: [String]) {
        let n = hosts.count
        self.hosts = hosts
        self.addresses = addresses
        receivedBits = Array(repeating: 0, count: (n * n + 63) / 64)
        rtts = n * max(0, n - 1) <= Self.roundTripTimeLimit ? Array(repeating: .nan, count: n * n) : []
        completed = Array(repeating: false, count: n)
    }

    /// Pairs of the whole pingall (n × (n − 1)).
    public var total: Int { hosts.count * max(0, hosts.count - 1) }
    /// Percentage lost, truncated to an integer as Mininet prints it.
    public var droppedPercent: Int { sent == 0 ? 0 : Int(100.0 * Double(sent - received) / Double(sent)) }
    /// Every ping was sent and answered.
    public var allReceived: Bool { !interrupted && received == sent }
    /// Sources whose pings are all done.
    public var completedSources: Int { completed.lazy.filter { $0 }.count }

    public func isComplete(source index: Int) -> Bool { completed[index] }

    /// Whether `destination` answered `source`'s ping; nil when that pair was not (yet) pinged.
    public func received(from source: String, to destination: String) -> Bool? {
        guard let s = hosts.firstIndex(of: source), let d = hosts.firstIndex(of: destination), s != d, completed[s] else { return nil }
        return bit(s, d)
    }

    func bit(_ s: Int, _ d: Int) -> Bool {
        let k = s * hosts.count + d
        return receivedBits[k >> 6] & (1 << UInt64(k & 63)) != 0
    }

    func rtt(_ s: Int, _ d: Int) -> Double? {
        guard !rtts.isEmpty else { return nil }
        let v = rtts[s * hosts.count + d]
        return v.isNaN ? nil : Double(v)
    }

    /// Records one ping of source `s` to destination `d` (host indexes).
    mutating func record(_ s: Int, _ d: Int, received: Bool, rttMilliseconds: Double?) {
        let k = s * hosts.count + d
        if received { receivedBits[k >> 6] |= 1 << UInt64(k & 63) } else { receivedBits[k >> 6] &= ~(1 << UInt64(k & 63)) }
        if !rtts.isEmpty { rtts[k] = received ? Float32(rttMilliseconds ?? .nan) : .nan }
    }

    /// Marks source `s` as done: its pings count in `sent` and `received`.
    mutating func complete(_ s: Int) {
        guard !completed[s] else { return }
        completed[s] = true
        for d in hosts.indices where d != s {
            sent += 1
            if bit(s, d) { received += 1 }
        }
    }

    /// The pings of source `index`.
    public func row(_ index: Int) -> PingAllRow {
        var row = PingAllRow(source: hosts[index], destinations: [], received: [], rttMilliseconds: [])
        row.destinations.reserveCapacity(hosts.count)
        row.received.reserveCapacity(hosts.count)
        row.rttMilliseconds.reserveCapacity(hosts.count)
        for d in hosts.indices where d != index {
            row.destinations.append(hosts[d])
            let ok = completed[index] && bit(index, d)
            row.received.append(ok)
            row.rttMilliseconds.append(ok ? rtt(index, d) : nil)
        }
        return row
    }

    /// Every ping of the completed sources: for each source (in order), each destination.
    /// Builds a value per ping: meant for small networks (use `row(_:)` or the streaming
    /// `onRow` of `Network.pingAll` for large ones).
    public var results: [PingResult] {
        var out: [PingResult] = []
        for s in hosts.indices where completed[s] {
            for d in hosts.indices where d != s {
                let ok = bit(s, d)
                out.append(PingResult(source: hosts[s], destination: hosts[d], address: addresses[d], received: ok,
                                      rttMilliseconds: ok ? rtt(s, d) : nil))
            }
        }
        return out
    }

    /// Mininet's last line: "*** Results: 0% dropped (72/72 received)".
    public var summaryLine: String { "*** Results: \(droppedPercent)% dropped (\(received)/\(sent) received)" }

    /// Mininet's pingall table: one line per source in `hosts` ("h1 -> h2 X h4 ", X for a
    /// lost ping), with `full` each pair's result under it, then the results line. The
    /// shell, the command line and scripts print the same lines, row by row as they
    /// complete (`Network.pingAll(onRow:)`), then `summaryLine`.
    public func mininetLines(hosts names: [String], full: Bool = false) -> [String] {
        var index: [String: Int] = [:]
        for (i, h) in hosts.enumerated() where index[h] == nil { index[h] = i }
        var lines: [String] = []
        for h in names {
            if let i = index[h] {
                if completed[i] { lines += row(i).mininetLines(full: full) }
            } else {
                lines.append("\(h) ->  ")
            }
        }
        lines.append(summaryLine)
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
        /// ICMP echoes from raw sockets opened inside each host, a bounded number of
        /// pairs at a time (see `ICMPProbe`): the same packets as `ping`, without a
        /// process per pair.
        case icmp
        /// The `ping` program, once per pair, `parallelism` at a time.
        case program(parallelism: Int)
    }

    /// Pings every host from every other host.
    /// - Parameters:
    ///   - hosts: the hosts to include (default: all end hosts, in topology order).
    ///   - timeout: seconds to wait for each reply. The default, 3, outlasts two ARP
    ///     retransmissions (one a second), so one lost ARP request on a freshly built
    ///     network does not count as unreachable; `ping -c1` without `-W`, as Mininet's
    ///     pingall runs it, waits up to 10 s.
    ///   - isCancelled: checked at least every 100 ms (with `options.isCancelled`); when it
    ///     returns true the pingall stops, and the result holds the sources completed so
    ///     far with `interrupted` set.
    ///   - onRow: called with each source's row as soon as its pings are done, in source
    ///     order, on the calling thread: print Mininet's table line by line.
    ///   - onProgress: called about every 100 ms with the pings done and the total.
    ///   - addresses: the address to ping for some hosts, instead of the one the topology
    ///     gave them (a host whose address was changed by a command).
    public func pingAll(hosts: [String]? = nil, timeout: Int = 3, method: PingMethod = .icmp,
                        addresses: [String: String] = [:],
                        isCancelled: @escaping @Sendable () -> Bool = { false },
                        onRow: ((PingAllRow) -> Void)? = nil,
                        onProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) -> PingAllResult {
        let names = hosts ?? topology.endHosts.map(\.name)
        var result = PingAllResult(hosts: names, addresses: names.map { addresses[$0] ?? (try? address(of: $0)) ?? $0 })
        let cancelled: @Sendable () -> Bool = { isCancelled() || self.isInterrupted }
        if case .icmp = method {
            // The probe throws only while it sets up, before any ping; the ping program
            // is the fallback (say, for IPv6-only hosts).
            let probe = ICMPProbe(net: self, timeout: .seconds(timeout), isCancelled: cancelled)
            if (try? probe.run(&result, onRow: onRow, onProgress: onProgress)) != nil { return result }
        }
        var parallelism = 64
        if case .program(let p) = method { parallelism = p }
        pingAllWithProgram(&result, timeout: timeout, parallelism: max(1, parallelism), isCancelled: cancelled,
                           onRow: onRow, onProgress: onProgress)
        return result
    }

    /// `ping -c1` for every pair, `parallelism` processes at a time, in order; a source's
    /// row is handed out once its pings are done.
    private func pingAllWithProgram(_ result: inout PingAllResult, timeout: Int, parallelism: Int,
                                    isCancelled: @escaping @Sendable () -> Bool,
                                    onRow: ((PingAllRow) -> Void)?, onProgress: ((Int, Int) -> Void)?) {
        let names = result.hosts
        let n = names.count
        let box = SharedPingAll(result)
        let queue = DispatchQueue(label: "swiftnet.pingall", attributes: .concurrent)
        let slots = DispatchSemaphore(value: parallelism)
        let group = DispatchGroup()
        var nextRow = 0
        var lastProgress = ContinuousClock.now
        func handOut() {
            while nextRow < n, let row = box.completeIfDone(nextRow) {
                onRow?(row)
                nextRow += 1
            }
            if let onProgress, ContinuousClock.now - lastProgress >= .milliseconds(100) {
                lastProgress = ContinuousClock.now
                onProgress(box.done, n * max(0, n - 1))
            }
        }
        dispatch: for s in 0..<n {
            for d in 0..<n where d != s {
                slots.wait()
                if isCancelled() { slots.signal(); break dispatch }
                group.enter()
                let source = names[s], target = names[d]
                queue.async {
                    defer { slots.signal(); group.leave() }
                    do {
                        let r = try self.ping(from: source, to: target, timeout: timeout, isCancelled: isCancelled)
                        box.record(s, d, received: r.received, rtt: r.rttMilliseconds)
                    } catch let e as NetworkError where e.isInterrupted {
                        // Left out: a source cut short by Ctrl-C does not complete.
                    } catch {
                        box.record(s, d, received: false, rtt: nil)
                    }
                }
                handOut()
            }
        }
        group.wait()
        handOut()
        result = box.value
        if nextRow < n { result.interrupted = true }
        onProgress?(box.done, n * max(0, n - 1))
    }
}

/// A pingall's result shared by the threads that run the `ping` programs.
final class SharedPingAll: @unchecked Sendable {
    private let lock = NSLock()
    private var result: PingAllResult
    private var remaining: [Int]
    private(set) var done = 0

    init(_ result: PingAllResult) {
        self.result = result
        remaining = Array(repeating: max(0, result.hosts.count - 1), count: result.hosts.count)
    }

    var value: PingAllResult { lock.withLock { result } }

    func record(_ s: Int, _ d: Int, received: Bool, rtt: Double?) {
        lock.withLock {
            result.record(s, d, received: received, rttMilliseconds: rtt)
            remaining[s] -= 1
            done += 1
        }
    }

    /// Completes source `s` and returns its row when all its pings are done.
    func completeIfDone(_ s: Int) -> PingAllRow? {
        lock.withLock {
            guard remaining[s] == 0 else { return nil }
            result.complete(s)
            return result.row(s)
        }
    }
}
