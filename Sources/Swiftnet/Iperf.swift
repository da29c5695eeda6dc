import Foundation
import Glibc

/// What an iperf3 measurement between two hosts gave.
public struct IperfResult: Sendable {
    public var client: String
    public var server: String
    /// Bits per second the server received.
    public var serverBitsPerSecond: Double
    /// Bits per second the client sent.
    public var clientBitsPerSecond: Double
    /// For UDP: the bandwidth asked for ("10M").
    public var udpBandwidth: String?
    /// For UDP: percentage of datagrams lost.
    public var lostPercent: Double?
}

/// "9.56 Mbits/sec", as iperf and Mininet print rates.
public func formatBitRate(_ bps: Double) -> String {
    let units = [("Gbits/sec", 1e9), ("Mbits/sec", 1e6), ("Kbits/sec", 1e3)]
    for (name, scale) in units where bps >= scale {
        let v = bps / scale
        return (v >= 100 ? String(format: "%.0f", v) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.2f", v)) + " " + name
    }
    return String(format: "%.0f bits/sec", bps)
}

extension Network {
    /// Measures throughput from `client` to `server` with iperf3: a one-off server is
    /// started in the background inside `server` and killed afterwards.
    /// Equivalent to Mininet's `net.iperf((h1, h2))`.
    /// - Parameters:
    ///   - udpBandwidth: measure UDP at this rate ("10M") instead of TCP.
    ///   - isCancelled: checked at least every 100 ms, with `options.isCancelled`.
    /// - Throws: `NetworkError` when iperf3 is missing or the test fails;
    ///   `NetworkError.interrupted` when cancelled (both iperf3 processes are killed).
    public func iperf(client: String, server: String, seconds: Int = 5, udpBandwidth: String? = nil,
                      port: Int = 5201, isCancelled: () -> Bool = { false }) throws -> IperfResult {
        let address = try self.address(of: server)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftnet-iperf-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("server.log").path
        let pid = try startBackground(on: server, ["iperf3", "-s", "-1", "-p", "\(port)", "--forceflush"], output: log)
        defer { stopBackground(pid) }
        // Wait until the server listens, rather than sleeping a guess.
        let deadline = ContinuousClock.now + .seconds(5)
        while !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("Server listening") {
            if ContinuousClock.now > deadline { throw NetworkError("iperf3 server on \(server) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
            if isCancelled() || isInterrupted { throw NetworkError.interrupted }
            usleep(10_000)
        }
        var argv = ["iperf3", "-c", address, "-p", "\(port)", "-t", "\(seconds)", "-J"]
        if let bw = udpBandwidth { argv += ["-u", "-b", bw] }
        let r = try run(on: client, argv, timeout: .seconds(seconds + 15), isCancelled: isCancelled)
        guard r.succeeded, let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
              let end = json["end"] as? [String: Any] else {
            throw NetworkError("iperf3 from \(client) to \(server) failed: \(r.stderr)\(r.stdout.prefix(400))")
        }
        func bps(_ key: String) -> Double? { (end[key] as? [String: Any])?["bits_per_second"] as? Double }
        if udpBandwidth != nil {
            let sum = end["sum"] as? [String: Any]
            let received = bps("sum_received") ?? (sum?["bits_per_second"] as? Double) ?? 0
            return IperfResult(client: client, server: server, serverBitsPerSecond: received,
                               clientBitsPerSecond: bps("sum_sent") ?? (sum?["bits_per_second"] as? Double) ?? 0,
                               udpBandwidth: udpBandwidth, lostPercent: sum?["lost_percent"] as? Double)
        }
        return IperfResult(client: client, server: server, serverBitsPerSecond: bps("sum_received") ?? 0,
                           clientBitsPerSecond: bps("sum_sent") ?? 0)
    }
}
