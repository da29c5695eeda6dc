import Foundation

/// `POST /v1/pingall`: every listed host pings every other, as Mininet's `net.pingAll()`.
public struct ControlPingAllRequest: Codable, Sendable {
    /// The hosts, in order (default: every end host of the network).
    public var hosts: [String]?
    /// Seconds to wait for each reply (default 3).
    public var timeout: Int?
    /// The address to ping for a host, when it is not the one the topology gave it.
    public var addresses: [String: String]?
    public init(hosts: [String]? = nil, timeout: Int? = nil) {
        self.hosts = hosts
        self.timeout = timeout
    }
}

/// One source's pings: for each destination, whether it answered and in how long.
public struct ControlPingRow: Codable, Sendable, Equatable {
    public var source: String
    public var destinations: [String]
    public var received: [Bool]
    /// Round-trip times in milliseconds (null for a lost ping).
    public var rttMs: [Double?]
}

public struct ControlPingAllResult: Codable, Sendable, Equatable {
    public var rows: [ControlPingRow]
    public var sent: Int
    public var received: Int
    /// Mininet's "dropped" percentage.
    public var droppedPercent: Int
    public var interrupted: Bool
}

/// `POST /v1/iperf`: throughput from one host to another with iperf3, as Mininet's `net.iperf`.
public struct ControlIperfRequest: Codable, Sendable {
    public var client: String
    public var server: String
    /// Seconds to measure (default 5).
    public var seconds: Int?
    /// UDP at this rate ("10M") instead of TCP.
    public var udpBw: String?
    public init(client: String, server: String, seconds: Int? = nil, udpBw: String? = nil) {
        self.client = client
        self.server = server
        self.seconds = seconds
        self.udpBw = udpBw
    }
}

public struct ControlIperfResult: Codable, Sendable, Equatable {
    public var clientBps: Double
    public var serverBps: Double
    /// The rates as iperf and Mininet print them ("9.56 Mbits/sec").
    public var client: String
    public var server: String
    public var lostPercent: Double?
}

extension ControlAPI {
    func pingAll(_ body: [UInt8], isCancelled: @escaping @Sendable () -> Bool) throws -> ControlPingAllResult {
        let req = try ControlJSON.decode(ControlPingAllRequest.self, from: body, example: #"{"hosts": ["h1", "h2"], "timeout": 1}"#)
        let names = req.hosts ?? net.topology.endHosts.map(\.name)
        for n in names where net.topology.host(n) == nil {
            throw ControlError(404, "no host named '\(n)' in run '\(net.name)' (hosts: \(net.topology.hosts.map(\.name).joined(separator: " ")))")
        }
        let timeout = req.timeout ?? 3
        guard (1...60).contains(timeout) else { throw ControlError(400, "timeout \(timeout): give 1 to 60 seconds") }
        for (host, a) in req.addresses ?? [:] where IPv4Address(a) == nil {
            throw ControlError(400, "addresses: '\(a)' for \(host) is not an IPv4 address")
        }
        let r = net.pingAll(hosts: names, timeout: timeout, addresses: req.addresses ?? [:], isCancelled: isCancelled)
        var rows: [ControlPingRow] = []
        for i in names.indices where r.isComplete(source: i) {
            let row = r.row(i)
            rows.append(ControlPingRow(source: row.source, destinations: row.destinations, received: row.received,
                                       rttMs: row.rttMilliseconds))
        }
        return ControlPingAllResult(rows: rows, sent: r.sent, received: r.received, droppedPercent: r.droppedPercent,
                                    interrupted: r.interrupted)
    }

    func iperf(_ body: [UInt8], isCancelled: @escaping @Sendable () -> Bool) throws -> ControlIperfResult {
        let req = try ControlJSON.decode(ControlIperfRequest.self, from: body, example: #"{"client": "h1", "server": "h2", "seconds": 5}"#)
        for n in [req.client, req.server] where net.topology.host(n) == nil {
            throw ControlError(404, "no host named '\(n)' in run '\(net.name)'")
        }
        let seconds = req.seconds ?? 5
        guard (1...3600).contains(seconds) else { throw ControlError(400, "seconds \(seconds): give 1 to 3600") }
        do {
            let r = try net.iperf(client: req.client, server: req.server, seconds: seconds, udpBandwidth: req.udpBw,
                                  isCancelled: isCancelled)
            return ControlIperfResult(clientBps: r.clientBitsPerSecond, serverBps: r.serverBitsPerSecond,
                                      client: formatBitRate(r.clientBitsPerSecond), server: formatBitRate(r.serverBitsPerSecond),
                                      lostPercent: r.lostPercent)
        } catch {
            throw ControlError(409, "\(error)")
        }
    }
}
