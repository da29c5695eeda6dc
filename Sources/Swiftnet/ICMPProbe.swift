import Foundation
import Glibc
import Namespaces

/// Pings many host pairs at once without a process per ping: one raw ICMP socket per
/// source host, opened inside its namespace, sends an echo request to every destination
/// and collects the replies. The packets are the same ICMP echoes `ping` sends, over the
/// same emulated links; only the program is missing.
struct ICMPProbe {
    let net: Network

    /// Sends an echo from each source to each of its destinations, again every 250 ms
    /// while unanswered, for up to `timeout`. Results are in `pairs` order; a round-trip
    /// time counts from the last request sent.
    func run(_ pairs: [(String, String)], timeout: Duration) throws -> [PingResult] {
        var results = try pairs.map { p in
            PingResult(source: p.0, destination: p.1, address: try net.address(of: p.1), received: false)
        }
        var bySource: [String: [Int]] = [:]
        for (i, p) in pairs.enumerated() { bySource[p.0, default: []].append(i) }
        var sockets: [(fd: Int32, ident: UInt16, indexes: [Int])] = []
        defer { for s in sockets { close(s.fd) } }
        for (n, (source, indexes)) in bySource.sorted(by: { $0.key < $1.key }).enumerated() {
            let fd = try withNetworkNamespace(net.namespaceFD(of: source)) {
                socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), Int32(IPPROTO_ICMP))
            }
            if fd < 0 { throw NetworkError("cannot open an ICMP socket in \(source): \(String(cString: strerror(errno)))") }
            sockets.append((fd, UInt16(truncatingIfNeeded: 0x5300 &+ n), indexes))
        }
        var sentAt = [ContinuousClock.Instant?](repeating: nil, count: pairs.count)
        // Sends (or sends again) every request still unanswered; a request lost while a
        // neighbour was being resolved is retried, as reachability is what is asked.
        func send(retry: Bool) {
        for s in sockets {
            for (seq, i) in s.indexes.enumerated() where !results[i].received && (retry || sentAt[i] == nil) {
                guard let dst = IPv4Address(results[i].address) else { continue }
                var packet = Self.echoRequest(ident: s.ident, sequence: UInt16(truncatingIfNeeded: seq))
                var addr = sockaddr_in()
                addr.sin_family = sa_family_t(AF_INET)
                addr.sin_addr.s_addr = dst.value.bigEndian
                let sent = withUnsafePointer(to: &addr) { a in
                    a.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(s.fd, &packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                if sent == packet.count { sentAt[i] = ContinuousClock.now }
            }
        }
        }
        send(retry: false)
        var outstanding = pairs.count
        let deadline = ContinuousClock.now + timeout
        var nextRetry = ContinuousClock.now + .milliseconds(250)
        var buf = [UInt8](repeating: 0, count: 2048)
        var fds = sockets.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        while outstanding > 0 {
            let left = deadline - ContinuousClock.now
            if left <= .zero { break }
            if ContinuousClock.now >= nextRetry {
                send(retry: true)
                nextRetry = ContinuousClock.now + .milliseconds(250)
            }
            let untilRetry = nextRetry - ContinuousClock.now
            let wait = min(left, max(untilRetry, .milliseconds(1)))
            let ms = Int32(max(1, wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&fds, nfds_t(fds.count), ms) > 0 else { continue }
            for (k, p) in fds.enumerated() where p.revents != 0 {
                fds[k].revents = 0
                let s = sockets[k]
                while true {
                    let n = recv(s.fd, &buf, buf.count, 0)
                    if n <= 0 { break }
                    guard let (ident, seq, from) = Self.parseEchoReply(buf[0..<n]), ident == s.ident,
                          Int(seq) < s.indexes.count else { continue }
                    let i = s.indexes[Int(seq)]
                    guard !results[i].received, results[i].address == from.description, let t0 = sentAt[i] else { continue }
                    let rtt = ContinuousClock.now - t0
                    results[i].received = true
                    results[i].rttMilliseconds = Double(rtt.components.attoseconds) / 1e15 + Double(rtt.components.seconds) * 1000
                    outstanding -= 1
                }
            }
        }
        return results
    }

    /// An ICMP echo request with a 56-byte payload, checksummed.
    static func echoRequest(ident: UInt16, sequence: UInt16) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: 64)
        p[0] = 8
        p[4] = UInt8(ident >> 8); p[5] = UInt8(ident & 0xff)
        p[6] = UInt8(sequence >> 8); p[7] = UInt8(sequence & 0xff)
        for i in 8..<64 { p[i] = UInt8(truncatingIfNeeded: i) }
        let sum = internetChecksum(p)
        p[2] = UInt8(sum >> 8); p[3] = UInt8(sum & 0xff)
        return p
    }

    /// Identifier, sequence and source of an echo reply in a raw IPv4 packet.
    static func parseEchoReply(_ packet: ArraySlice<UInt8>) -> (UInt16, UInt16, IPv4Address)? {
        let b = Array(packet)
        guard b.count >= 28, b[0] >> 4 == 4 else { return nil }
        let ihl = Int(b[0] & 0x0f) * 4
        guard b.count >= ihl + 8, b[9] == 1, b[ihl] == 0 else { return nil }
        let from = IPv4Address(UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15]))
        return (UInt16(b[ihl + 4]) << 8 | UInt16(b[ihl + 5]), UInt16(b[ihl + 6]) << 8 | UInt16(b[ihl + 7]), from)
    }

    static func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
