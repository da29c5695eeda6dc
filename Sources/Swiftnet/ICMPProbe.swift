import Foundation
import Glibc
import Namespaces
import Netlink

/// Pings every pair of hosts without a process per ping: raw ICMP sockets, opened inside
/// each host's namespace, send the same echo requests `ping` sends, over the same
/// emulated links, and read the replies.
///
/// The unit of work is an unordered pair {a, b}: a pings b; when b has answered b pings
/// a. b has learnt a's address from a's ARP request by then, so a pair costs one ARP
/// broadcast, which on a large switched network reaches every host and is most of the
/// cost (tree,depth=2,fanout=20: 79,800 broadcasts to 400 hosts). Where that cost is
/// small (the networks whose neighbour entries are not deleted, below), b does not wait
/// more than half a second, so that an unreachable pair costs one timeout, not two.
///
/// The kernel does that work (the broadcast's path through every bridge and host) in the
/// sending thread, on its CPU. So the pairs are shared out between lanes, one thread and
/// one set of sockets each, as many as there are CPUs (at most 8): each lane takes the
/// next pair in order when it has room. A lane's sockets carry a socket filter that
/// passes only the echo replies to the lane's own identifier.
///
/// At most `window` pairs are in flight, all lanes together. The kernel has one
/// neighbour (ARP) table for all namespaces, limited to `gc_thresh3` entries (1024 by
/// default, a machine-wide setting); entries younger than 5 s cannot be reclaimed, and a
/// packet whose neighbour entry cannot be made is dropped ("neighbor table overflow").
/// So the window is a quarter of the room left in the table, and when the pingall would
/// create more entries than fit comfortably (about 22 hosts and more) each pair's two
/// entries are deleted as soon as it is done (`ip neigh del`). Pairs start in order, so
/// sources complete in order and their rows are handed out (by the calling thread) as
/// they do; what is kept per pair is a bit (and a 4-byte round-trip time on small
/// networks), in `PingAllResult`.
struct ICMPProbe {
    let net: Network
    /// How long each echo waits for its reply (resent every 250 ms meanwhile).
    let timeout: Duration
    let isCancelled: @Sendable () -> Bool
    /// How many threads share the pairs; nil: one per CPU (at most 8), one for fewer
    /// than 64 pairs.
    var lanes: Int? = nil

    /// The most pairs in flight, whatever the room in the neighbour table.
    static let maxWindow = 256
    static let retryInterval: UInt64 = 250_000_000
    /// On a small network, b pings a after this long even when a's ping of b is still
    /// unanswered. On a large one b waits for a's ping to end: pinging a host it has not
    /// heard from costs another ARP broadcast.
    static let reverseAfter: UInt64 = 500_000_000

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
        let laneCount = max(1, min(lanes ?? (pairs < 64 ? 1 : ProcessInfo.processInfo.activeProcessorCount), 8, window))

        raiseFileLimit(to: UInt64(net.topology.hosts.count * 2 + n * laneCount * (deleteEntries ? 2 : 1) + 256))
        var idents = Set<UInt16>()
        while idents.count < laneCount { idents.insert(UInt16.random(in: 1...UInt16.max)) }
        let board = ProbeBoard(result)
        var workers: [ProbeLane] = []
        for (k, ident) in idents.enumerated() {
            let share = window / laneCount + (k < window % laneCount ? 1 : 0)
            workers.append(ProbeLane(board: board, hosts: n, addresses: addresses, ident: ident, window: share,
                                   timeout: timeout, deleteEntries: deleteEntries, isCancelled: isCancelled))
        }
        for i in 0..<n {
            if i % 32 == 0 && isCancelled() { result.interrupted = true; return }
            let nsFD = try net.namespaceFD(of: names[i])
            let indexes = deleteEntries ? (net.topology.host(names[i])?.interfaces ?? []).compactMap { net.interfaceIndex($0) } : []
            for lane in workers { try lane.open(host: i, name: names[i], namespace: nsFD, interfaces: indexes) }
        }

        // Lanes 1... on threads of their own; lane 0 on this one, which then hands out
        // the rows until every lane is done.
        let finished = DispatchGroup()
        for lane in workers.dropFirst() {
            finished.enter()
            let thread = Thread {
                lane.run()
                finished.leave()
            }
            thread.name = "swiftnet.pingall"
            thread.start()
        }
        var lastProgress: UInt64 = 0
        func handOut() {
            for row in board.completedRows() { onRow?(row) }
            let now = Self.monotonicNanoseconds()
            if let onProgress, now - lastProgress >= 100_000_000 {
                lastProgress = now
                onProgress(board.done, board.total)
            }
        }
        workers[0].run(whileRunning: handOut)
        while finished.wait(timeout: .now() + .milliseconds(50)) == .timedOut { handOut() }
        handOut()
        result = board.result
        onProgress?(board.done, board.total)
    }

    static let solRaw: Int32 = 255       // SOL_RAW
    static let icmpFilter: Int32 = 1     // ICMP_FILTER (linux/icmp.h)

    /// A classic BPF program on a raw ICMP socket (whose packets start at the IPv4
    /// header): passes a packet whose ICMP identifier (2 bytes, 4 into the ICMP header)
    /// is `ident`, drops every other. Without it each lane's socket would also queue the
    /// replies meant for every other lane. Best effort: a kernel that refuses it leaves
    /// the lane to skip them, as it does anyway.
    static func attachIdentFilter(_ fd: Int32, ident: UInt16) {
        // (code, jt, jf, k): ldxb 4*([0]&0xf); ldh [x+4]; jeq #ident, 0, 1; ret #65535; ret #0
        let program: [(UInt16, UInt8, UInt8, UInt32)] = [
            (0xb1, 0, 0, 0), (0x48, 0, 0, 4), (0x15, 0, 1, UInt32(ident)), (0x06, 0, 0, 0xffff), (0x06, 0, 0, 0),
        ]
        var code = [UInt8](repeating: 0, count: program.count * 8)
        for (i, (op, jt, jf, k)) in program.enumerated() {
            withUnsafeBytes(of: op) { code.replaceSubrange(i * 8 ..< i * 8 + 2, with: $0) }
            code[i * 8 + 2] = jt
            code[i * 8 + 3] = jf
            withUnsafeBytes(of: k) { code.replaceSubrange(i * 8 + 4 ..< i * 8 + 8, with: $0) }
        }
        code.withUnsafeMutableBytes { instructions in
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            var fprog = [UInt8](repeating: 0, count: 16)
            fprog.withUnsafeMutableBytes { f in
                f.storeBytes(of: UInt16(program.count), toByteOffset: 0, as: UInt16.self)
                f.storeBytes(of: instructions.baseAddress, toByteOffset: 8, as: UnsafeMutableRawPointer?.self)
                _ = setsockopt(fd, SOL_SOCKET, 26 /* SO_ATTACH_FILTER */, f.baseAddress, socklen_t(16))
            }
        }
    }

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

/// What the lanes of one probe share, under a lock: the next pair to start, the result,
/// and which rows are complete.
final class ProbeBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var _result: PingAllResult
    private var nextA = 0, nextB = 1
    private var pending: [Int32]
    private var nextRow = 0
    private var _done = 0
    let n: Int
    let total: Int

    init(_ result: PingAllResult) {
        _result = result
        n = result.hosts.count
        total = n * max(0, n - 1)
        pending = [Int32](repeating: Int32(max(0, n - 1)), count: n)
    }

    var result: PingAllResult { lock.withLock { _result } }
    var done: Int { lock.withLock { _done } }
    var interrupted: Bool { lock.withLock { _result.interrupted } }

    func interrupt() { lock.withLock { _result.interrupted = true } }

    /// The next pair to ping, in order; nil when every pair has been handed out (or the
    /// probe was interrupted).
    func takePair() -> (Int, Int)? {
        lock.withLock {
            guard nextA < n - 1, !_result.interrupted else { return nil }
            let pair = (nextA, nextB)
            nextB += 1
            if nextB == n { nextA += 1; nextB = nextA + 1 }
            return pair
        }
    }

    func answered() { lock.withLock { _done += 1 } }

    func finish(_ a: Int, _ b: Int, forward: (Bool, Double?), reverse: (Bool, Double?)) {
        lock.withLock {
            _result.record(a, b, received: forward.0, rttMilliseconds: forward.1)
            _result.record(b, a, received: reverse.0, rttMilliseconds: reverse.1)
            pending[a] -= 1
            pending[b] -= 1
        }
    }

    /// The rows completed since the last call, in order.
    func completedRows() -> [PingAllRow] {
        lock.withLock {
            var rows: [PingAllRow] = []
            while nextRow < n && pending[nextRow] == 0 {
                _result.complete(nextRow)
                rows.append(_result.row(nextRow))
                nextRow += 1
            }
            return rows
        }
    }
}

/// One thread's share of a probe: its own socket in every host, its own identifier, and
/// at most `window` pairs in flight.
final class ProbeLane: @unchecked Sendable {
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

    let board: ProbeBoard
    let addresses: [UInt32]
    let ident: UInt16
    let window: Int
    let timeoutNS: UInt64
    let deleteEntries: Bool
    let isCancelled: @Sendable () -> Bool
    private var sockets: [Int32]
    private var neighbourSockets: [RouteSocket?]
    private var interfaceIndexes: [[Int32]]

    init(board: ProbeBoard, hosts n: Int, addresses: [UInt32], ident: UInt16, window: Int, timeout: Duration,
         deleteEntries: Bool, isCancelled: @escaping @Sendable () -> Bool) {
        self.board = board
        self.addresses = addresses
        self.ident = ident
        self.window = max(1, window)
        self.timeoutNS = UInt64(timeout.components.seconds) * 1_000_000_000 + UInt64(timeout.components.attoseconds / 1_000_000_000)
        self.deleteEntries = deleteEntries
        self.isCancelled = isCancelled
        sockets = [Int32](repeating: -1, count: n)
        neighbourSockets = Array(repeating: nil, count: n)
        interfaceIndexes = Array(repeating: [], count: n)
    }

    deinit { for fd in sockets where fd >= 0 { close(fd) } }

    /// Opens this lane's socket in host `i`'s namespace.
    func open(host i: Int, name: String, namespace nsFD: Int32, interfaces: [Int32]) throws {
        let fd = try withNetworkNamespace(nsFD) {
            socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), Int32(IPPROTO_ICMP))
        }
        if fd < 0 { throw NetworkError("cannot open an ICMP socket in \(name): \(String(cString: strerror(errno)))") }
        sockets[i] = fd
        // Only echo replies, only this lane's, and room for a window's worth of them.
        var filter: UInt32 = ~(UInt32(1) << 0)
        _ = setsockopt(fd, ICMPProbe.solRaw, ICMPProbe.icmpFilter, &filter, socklen_t(MemoryLayout<UInt32>.size))
        ICMPProbe.attachIdentFilter(fd, ident: ident)
        var size: Int32 = 1 << 20
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if deleteEntries {
            neighbourSockets[i] = try RouteSocket(namespaceFD: nsFD)
            interfaceIndexes[i] = interfaces
        }
    }

    /// Pings pairs from the board until it has none left and this lane's are done;
    /// `whileRunning` is called once a loop (at least every 50 ms).
    func run(whileRunning: () -> Void = {}) {
        var packet = [UInt8](repeating: 0, count: 64)
        let sockets = self.sockets, addresses = self.addresses, ident = self.ident, window = self.window
        let timeoutNS = self.timeoutNS, deleteEntries = self.deleteEntries
        func send(_ pinger: Int, _ target: Int, seq: Int) -> Bool {
            ICMPProbe.fillEchoRequest(&packet, ident: ident, sequence: UInt16(truncatingIfNeeded: seq))
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
        var slots = [Slot](repeating: Slot(), count: window)
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

        let reverseAfter = deleteEntries ? UInt64.max / 2 : ICMPProbe.reverseAfter
        var free = Array((0..<window).reversed())
        var exhausted = false
        let n = sockets.count
        var mark = [UInt32](repeating: 0, count: n)
        var generation: UInt32 = 0
        var fds: [pollfd] = []
        var owners: [Int] = []
        var buf = [UInt8](repeating: 0, count: 2048)

        func finish(_ k: Int) {
            let s = slots[k]
            let a = Int(s.a), b = Int(s.b)
            board.finish(a, b, forward: (s.forward.received, s.forward.rtt), reverse: (s.reverse.received, s.reverse.rtt))
            if deleteEntries {
                for index in interfaceIndexes[a] { _ = try? neighbourSockets[a]?.deleteNeighbour(index: index, ipv4: addresses[b]) }
                for index in interfaceIndexes[b] { _ = try? neighbourSockets[b]?.deleteNeighbour(index: index, ipv4: addresses[a]) }
            }
            slots[k] = Slot()
            free.append(k)
        }

        // Every send or receive can also run the kernel's pending packet work (on a large
        // network, floods of ARP broadcasts), so Ctrl-C is looked at after each of them.
        func cancelled() -> Bool {
            if isCancelled() { board.interrupt() }
            return board.interrupted
        }
        probe: while true {
            if cancelled() { break }
            var now = ICMPProbe.monotonicNanoseconds()
            // Start pairs, in order, while there is room: for at most 50 ms, as on a large
            // network each first echo costs an ARP broadcast to every host, paid here.
            let startedAt = now
            var started = 0
            while !exhausted, let k = free.popLast() {
                guard started % 8 != 7 || ICMPProbe.monotonicNanoseconds() - startedAt < 50_000_000 else {
                    free.append(k)
                    break
                }
                guard let (a, b) = board.takePair() else {
                    free.append(k)
                    exhausted = true
                    break
                }
                started += 1
                slots[k] = Slot(a: Int32(a), b: Int32(b))
                start(k, forward: true, now: now)
                if cancelled() { break probe }
            }
            whileRunning()
            if exhausted && free.count == window { break }

            // Wait for replies on the sockets of the hosts waiting for one.
            generation &+= 1
            fds.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            var wake = now + 50_000_000
            func watch(_ leg: Leg, _ pinger: Int) {
                guard leg.state == 1 else { return }
                wake = min(wake, leg.lastSent + ICMPProbe.retryInterval, leg.firstSent + timeoutNS)
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
                now = ICMPProbe.monotonicNanoseconds()
                for (p, pinger) in zip(fds, owners) where p.revents != 0 {
                    if cancelled() { break probe }
                    while true {
                        let got = recv(p.fd, &buf, buf.count, 0)
                        if got <= 0 { break }
                        guard let (id, seq, from) = ICMPProbe.parseEchoReply(buf, count: got), id == ident, Int(seq) < window else { continue }
                        let k = Int(seq)
                        guard slots[k].inUse else { continue }
                        let a = Int(slots[k].a), b = Int(slots[k].b)
                        if pinger == a && from == addresses[b] && slots[k].forward.state == 1 {
                            slots[k].forward.state = 2
                            slots[k].forward.received = true
                            slots[k].forward.rtt = Double(now - slots[k].forward.lastSent) / 1e6
                            board.answered()
                            if slots[k].reverse.state == 0 { start(k, forward: false, now: now) }
                        } else if pinger == b && from == addresses[a] && slots[k].reverse.state == 1 {
                            slots[k].reverse.state = 2
                            slots[k].reverse.received = true
                            slots[k].reverse.rtt = Double(now - slots[k].reverse.lastSent) / 1e6
                            board.answered()
                        }
                        if slots[k].forward.state == 2 && slots[k].reverse.state == 2 { finish(k) }
                    }
                }
            }

            // Resend what is unanswered, give up on what timed out, start late reverses.
            now = ICMPProbe.monotonicNanoseconds()
            func tick(_ leg: inout Leg, _ pinger: Int, _ target: Int, slot k: Int) {
                guard leg.state == 1 else { return }
                if now >= leg.firstSent + timeoutNS {
                    leg.state = 2
                    board.answered()
                } else if now >= leg.lastSent + ICMPProbe.retryInterval {
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
