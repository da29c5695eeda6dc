import Foundation
import Glibc
import Namespaces
import Netlink

/// Pings every pair of hosts without a process per ping: one raw ICMP socket per host,
/// opened inside its namespace, sends the same echo requests `ping` sends, over the same
/// emulated links, and reads the replies.
///
/// The unit of work is an unordered pair {a, b}: a pings b; when b has answered b pings
/// a. b has learnt a's address from a's ARP request by then, so a pair costs one ARP
/// broadcast, which on a large switched network reaches every host and is most of the
/// cost (tree,depth=2,fanout=20: 79,800 broadcasts to 400 hosts). Where that cost is
/// small (the networks whose neighbour entries are not deleted, below), b does not wait
/// more than half a second, so that an unreachable pair costs one timeout, not two.
///
/// At most `window` pairs are in flight. The kernel has one neighbour (ARP) table for
/// all namespaces, limited to `gc_thresh3` entries (1024 by default, a machine-wide
/// setting); entries younger than 5 s cannot be reclaimed, and a packet whose neighbour
/// entry cannot be made is dropped ("neighbor table overflow"). So the window is a
/// quarter of the room left in the table, and when the pingall would create more entries
/// than fit comfortably (about 22 hosts and more) each pair's two entries are deleted as
/// soon as it is done (`ip neigh del`). Pairs start in order, so sources complete in
/// order and their rows are handed out as they do; what is kept per pair is a bit (and
/// a 4-byte round-trip time on small networks), in `PingAllResult`.
struct ICMPProbe {
    let net: Network
    /// How long each echo waits for its reply (resent every 250 ms meanwhile).
    let timeout: Duration
    let isCancelled: () -> Bool

    /// The most pairs in flight, whatever the room in the neighbour table.
    static let maxWindow = 256
    static let retryInterval: UInt64 = 250_000_000
    /// On a small network, b pings a after this long even when a's ping of b is still
    /// unanswered. On a large one b waits for a's ping to end: pinging a host it has not
    /// heard from costs another ARP broadcast.
    static let reverseAfter: UInt64 = 500_000_000

    /// One direction of a pair: `pinger` pings `target`.
    struct Leg {
        var state: UInt8 = 0  // 0 not started, 1 waiting for the reply, 2 done
        var received = false
        var firstSent: UInt64 = 0
        var lastSent: UInt64 = 0
        var rtt: Double?
    }

    struct Slot {
        var a: Int32 = -1
        var b: Int32 = -1
        var forward = Leg()  // a -> b
        var reverse = Leg()  // b -> a
        var inUse: Bool { a >= 0 }
    }

    /// Pings every pair of `result.hosts`, recording into `result`.
    /// - Throws: `NetworkError` while setting up (a host without a namespace or an IPv4
    ///   address, no more descriptors); never once the first ping has been sent.
    func run(_ result: inout PingAllResult, onRow: ((PingAllRow) -> Void)?, onProgress: ((Int, Int) -> Void)?) throws {
        let names = result.hosts
        let n = names.count
        guard n <= 65_536 else { throw NetworkError("the ICMP probe handles at most 65536 hosts") }
        var addresses: [UInt32] = []
        for a in result.addresses {
            guard let v4 = IPv4Address(a) else { throw NetworkError("'\(a)' is not an IPv4 address") }
            addresses.append(v4.value)
        }
        let table = NeighbourTable.read()
        let room = max(64, table.limit - table.entries)
        let pairs = n * max(0, n - 1) / 2
        // Without deletion every ordered pair leaves an entry behind.
        let deleteEntries = n * max(0, n - 1) > room / 2
        let window = max(1, min(pairs, Self.maxWindow, max(8, room / 4)))

        raiseFileLimit(to: UInt64(net.topology.hosts.count * 2 + n * (deleteEntries ? 2 : 1) + 256))
        var sockets = [Int32](repeating: -1, count: n)
        var neighbourSockets: [RouteSocket?] = Array(repeating: nil, count: n)
        var interfaceIndexes: [[Int32]] = Array(repeating: [], count: n)
        defer { for fd in sockets where fd >= 0 { close(fd) } }
        for i in 0..<n {
            if i % 32 == 0 && isCancelled() { result.interrupted = true; return }
            let nsFD = try net.namespaceFD(of: names[i])
            let fd = try withNetworkNamespace(nsFD) {
                socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), Int32(IPPROTO_ICMP))
            }
            if fd < 0 { throw NetworkError("cannot open an ICMP socket in \(names[i]): \(String(cString: strerror(errno)))") }
            sockets[i] = fd
            // Only echo replies, and room for a window's worth of them.
            var filter: UInt32 = ~(UInt32(1) << 0)
            _ = setsockopt(fd, Self.solRaw, Self.icmpFilter, &filter, socklen_t(MemoryLayout<UInt32>.size))
            var size: Int32 = 1 << 20
            if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
                _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            if deleteEntries {
                neighbourSockets[i] = try RouteSocket(namespaceFD: nsFD)
                interfaceIndexes[i] = (net.topology.host(names[i])?.interfaces ?? []).compactMap { net.interfaceIndex($0) }
            }
        }

        let ident = UInt16.random(in: 1...UInt16.max)
        var packet = [UInt8](repeating: 0, count: 64)
        func send(_ pinger: Int, _ target: Int, seq: Int) -> Bool {
            Self.fillEchoRequest(&packet, ident: ident, sequence: UInt16(truncatingIfNeeded: seq))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = addresses[target].bigEndian
            let sent = withUnsafePointer(to: &addr) { a in
                a.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(sockets[pinger], packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            return sent == packet.count
        }
        /// Sends the first echo of slot `k`'s forward (a -> b) or reverse (b -> a) leg.
        func start(_ k: Int, forward: Bool, now: UInt64) {
            let a = Int(slots[k].a), b = Int(slots[k].b)
            var leg = Leg()
            leg.state = 1
            leg.firstSent = now
            leg.lastSent = now
            if forward { slots[k].forward = leg } else { slots[k].reverse = leg }
            _ = forward ? send(a, b, seq: k) : send(b, a, seq: k)  // a failed send is retried
        }

        let reverseAfter = deleteEntries ? UInt64.max / 2 : Self.reverseAfter
        let timeoutNS = UInt64(timeout.components.seconds) * 1_000_000_000 + UInt64(timeout.components.attoseconds / 1_000_000_000)
        var slots = [Slot](repeating: Slot(), count: window)
        var free = Array((0..<window).reversed())
        var pending = [Int32](repeating: Int32(max(0, n - 1)), count: n)
        var nextA = 0, nextB = 1
        var nextRow = 0
        var done = 0
        let total = n * max(0, n - 1)
        var lastProgress: UInt64 = 0
        var mark = [UInt32](repeating: 0, count: n)
        var generation: UInt32 = 0
        var fds: [pollfd] = []
        var owners: [Int] = []
        var buf = [UInt8](repeating: 0, count: 2048)

        func finish(_ k: Int) {
            let s = slots[k]
            let a = Int(s.a), b = Int(s.b)
            result.record(a, b, received: s.forward.received, rttMilliseconds: s.forward.rtt)
            result.record(b, a, received: s.reverse.received, rttMilliseconds: s.reverse.rtt)
            if deleteEntries {
                for index in interfaceIndexes[a] { _ = try? neighbourSockets[a]?.deleteNeighbour(index: index, ipv4: addresses[b]) }
                for index in interfaceIndexes[b] { _ = try? neighbourSockets[b]?.deleteNeighbour(index: index, ipv4: addresses[a]) }
            }
            pending[a] -= 1
            pending[b] -= 1
            slots[k] = Slot()
            free.append(k)
        }

        // Every send or receive can also run the kernel's pending packet work (on a large
        // network, floods of ARP broadcasts), so Ctrl-C is looked at after each of them.
        func cancelled() -> Bool {
            if isCancelled() { result.interrupted = true }
            return result.interrupted
        }
        probe: while true {
            if cancelled() { break }
            var now = Self.monotonicNanoseconds()
            // Start pairs, in order, while there is room: for at most 50 ms, as on a large
            // network each first echo costs an ARP broadcast to every host, paid here.
            let startedAt = now
            var started = 0
            while let k = free.popLast() {
                guard nextA < n - 1, started % 8 != 7 || Self.monotonicNanoseconds() - startedAt < 50_000_000 else {
                    free.append(k)
                    break
                }
                started += 1
                slots[k] = Slot(a: Int32(nextA), b: Int32(nextB))
                start(k, forward: true, now: now)
                nextB += 1
                if nextB == n { nextA += 1; nextB = nextA + 1 }
                if cancelled() { break probe }
            }
            // Rows complete in order; hand them out.
            while nextRow < n && pending[nextRow] == 0 {
                result.complete(nextRow)
                onRow?(result.row(nextRow))
                nextRow += 1
            }
            if nextRow == n { break }
            if let onProgress, now - lastProgress >= 100_000_000 {
                lastProgress = now
                onProgress(done, total)
            }

            // Wait for replies on the sockets of the hosts waiting for one.
            generation &+= 1
            fds.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            var wake = now + 50_000_000
            func watch(_ leg: Leg, _ pinger: Int) {
                guard leg.state == 1 else { return }
                wake = min(wake, leg.lastSent + Self.retryInterval, leg.firstSent + timeoutNS)
                if mark[pinger] != generation {
                    mark[pinger] = generation
                    fds.append(pollfd(fd: sockets[pinger], events: Int16(POLLIN), revents: 0))
                    owners.append(pinger)
                }
            }
            for s in slots where s.inUse {
                watch(s.forward, Int(s.a))
                watch(s.reverse, Int(s.b))
                if s.forward.state == 1 && s.reverse.state == 0 { wake = min(wake, s.forward.firstSent + reverseAfter) }
            }
            let waitMS = Int32(wake > now ? min(50, (wake - now) / 1_000_000 + 1) : 0)
            if poll(&fds, nfds_t(fds.count), waitMS) > 0 {
                now = Self.monotonicNanoseconds()
                for (p, pinger) in zip(fds, owners) where p.revents != 0 {
                    if cancelled() { break probe }
                    while true {
                        let got = recv(p.fd, &buf, buf.count, 0)
                        if got <= 0 { break }
                        guard let (id, seq, from) = Self.parseEchoReply(buf, count: got), id == ident, Int(seq) < window else { continue }
                        let k = Int(seq)
                        guard slots[k].inUse else { continue }
                        let a = Int(slots[k].a), b = Int(slots[k].b)
                        if pinger == a && from == addresses[b] && slots[k].forward.state == 1 {
                            slots[k].forward.state = 2
                            slots[k].forward.received = true
                            slots[k].forward.rtt = Double(now - slots[k].forward.lastSent) / 1e6
                            done += 1
                            if slots[k].reverse.state == 0 { start(k, forward: false, now: now) }
                        } else if pinger == b && from == addresses[a] && slots[k].reverse.state == 1 {
                            slots[k].reverse.state = 2
                            slots[k].reverse.received = true
                            slots[k].reverse.rtt = Double(now - slots[k].reverse.lastSent) / 1e6
                            done += 1
                        }
                        if slots[k].forward.state == 2 && slots[k].reverse.state == 2 { finish(k) }
                    }
                }
            }

            // Resend what is unanswered, give up on what timed out, start late reverses.
            now = Self.monotonicNanoseconds()
            func tick(_ leg: inout Leg, _ pinger: Int, _ target: Int, slot k: Int) {
                guard leg.state == 1 else { return }
                if now >= leg.firstSent + timeoutNS {
                    leg.state = 2
                    done += 1
                } else if now >= leg.lastSent + Self.retryInterval {
                    leg.lastSent = now
                    _ = send(pinger, target, seq: k)
                }
            }
            for k in slots.indices where slots[k].inUse {
                if cancelled() { break probe }
                let a = Int(slots[k].a), b = Int(slots[k].b)
                tick(&slots[k].forward, a, b, slot: k)
                tick(&slots[k].reverse, b, a, slot: k)
                if slots[k].reverse.state == 0 && (slots[k].forward.state == 2 || now >= slots[k].forward.firstSent + reverseAfter) {
                    start(k, forward: false, now: now)
                }
                if slots[k].forward.state == 2 && slots[k].reverse.state == 2 { finish(k) }
            }
        }
        onProgress?(done, total)
    }

    static let solRaw: Int32 = 255       // SOL_RAW
    static let icmpFilter: Int32 = 1     // ICMP_FILTER (linux/icmp.h)

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// An ICMP echo request with a 56-byte payload, checksummed.
    static func echoRequest(ident: UInt16, sequence: UInt16) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: 64)
        fillEchoRequest(&p, ident: ident, sequence: sequence)
        return p
    }

    /// Writes an echo request into a 64-byte buffer.
    static func fillEchoRequest(_ p: inout [UInt8], ident: UInt16, sequence: UInt16) {
        p[0] = 8
        p[1] = 0
        p[2] = 0; p[3] = 0
        p[4] = UInt8(ident >> 8); p[5] = UInt8(ident & 0xff)
        p[6] = UInt8(sequence >> 8); p[7] = UInt8(sequence & 0xff)
        for i in 8..<64 { p[i] = UInt8(truncatingIfNeeded: i) }
        let sum = internetChecksum(p)
        p[2] = UInt8(sum >> 8); p[3] = UInt8(sum & 0xff)
    }

    /// Identifier, sequence and source of an echo reply in a raw IPv4 packet.
    static func parseEchoReply(_ b: [UInt8], count: Int) -> (UInt16, UInt16, UInt32)? {
        guard count >= 28, b[0] >> 4 == 4 else { return nil }
        let ihl = Int(b[0] & 0x0f) * 4
        guard count >= ihl + 8, b[9] == 1, b[ihl] == 0 else { return nil }
        let from = UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15])
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

/// The kernel's IPv4 neighbour table: its hard limit and how many entries it holds now,
/// for every namespace together.
struct NeighbourTable {
    var limit: Int
    var entries: Int

    /// `net.ipv4.neigh.default.gc_thresh3` (visible in the initial namespace only;
    /// 1024, the kernel's default, elsewhere) and the entry count of /proc/net/stat/arp_cache.
    static func read() -> NeighbourTable {
        var limit = 1024
        if let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/neigh/default/gc_thresh3", encoding: .utf8),
           let v = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            limit = v
        }
        var entries = 0
        if let text = try? String(contentsOfFile: "/proc/net/stat/arp_cache", encoding: .utf8) {
            let lines = text.split(separator: "\n")
            if lines.count > 1, let first = lines[1].split(separator: " ").first, let v = Int(first, radix: 16) { entries = v }
        }
        return NeighbourTable(limit: limit, entries: entries)
    }
}
