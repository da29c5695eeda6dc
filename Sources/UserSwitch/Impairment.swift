/// A link's shaping as the user switch applies it to one direction: netem's delay,
/// jitter and loss, and a rate limit with a bounded queue (HTB/TBF's job in the kernel).
public struct Impairment: Sendable {
    var delayNanos: UInt64 = 0
    var jitterNanos: UInt64 = 0
    /// Loss probability, 0...1.
    var loss: Double = 0
    var rateBitsPerSecond: Double?
    /// Packets that may wait for the rate limit (max_queue; 1000 by default, as HTB's
    /// default pfifo on a veth).
    var queueLimit = 1000
    /// When the rate-limited queue is next free, and how many packets wait in it.
    private var busyUntil: UInt64 = 0
    /// Departure times of the packets in the queue, oldest from `head` on (a ring of
    /// sorts: the array is compacted now and then, not shifted per packet).
    private var queued: [UInt64] = []
    private var head = 0

    /// A link's parameters as written (`delay`, `jitter`, `loss` in percent, `bw` in
    /// Mbit/s, `max_queue` in packets); nil when they impair nothing.
    public init?(delayMicroseconds: Int? = nil, jitterMicroseconds: Int? = nil, lossPercent: Double? = nil,
                 bandwidthMbps: Double? = nil, maxQueue: Int? = nil) {
        delayNanos = UInt64(delayMicroseconds ?? 0) * 1000
        jitterNanos = UInt64(jitterMicroseconds ?? 0) * 1000
        loss = (lossPercent ?? 0) / 100
        rateBitsPerSecond = bandwidthMbps.map { $0 * 1_000_000 }
        if let q = maxQueue { queueLimit = max(1, q) }
        if delayNanos == 0 && loss == 0 && rateBitsPerSecond == nil { return nil }
    }

    func drops(_ r: inout FastRandom) -> Bool { loss > 0 && r.unit() < loss }

    /// The delay for one packet: delay ± jitter, uniformly, as netem without a table.
    func delay(_ r: inout FastRandom) -> UInt64 {
        guard jitterNanos > 0 else { return delayNanos }
        let offset = Int64(r.unit() * Double(2 * jitterNanos)) - Int64(jitterNanos)
        return UInt64(max(0, Int64(delayNanos) + offset))
    }

    /// Books `bits` on the rate-limited link from `now`: the time the packet has left,
    /// or nil when the queue is full (tail drop).
    mutating func reserve(bits: Int, now: UInt64) -> UInt64? {
        guard let rate = rateBitsPerSecond else { return now }
        while head < queued.count && queued[head] <= now { head += 1 }
        if head > 1024 && head * 2 > queued.count {
            queued.removeFirst(head)
            head = 0
        }
        if queued.count - head >= queueLimit { return nil }
        let start = max(now, busyUntil)
        busyUntil = start + UInt64(Double(bits) / rate * 1e9)
        queued.append(busyUntil)
        return busyUntil
    }
}

/// xorshift64*: fast, good enough for packet loss decisions.
struct FastRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x2545_F491_4F6C_DD1D : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Frames waiting for their time, a binary heap by due time (FIFO among equal times).
struct DelayQueue {
    private var heap: [(due: UInt64, seq: UInt64, port: Int, bytes: [UInt8])] = []
    private var seq: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var nextDue: UInt64? { heap.first?.due }

    mutating func push(due: UInt64, port: Int, bytes: [UInt8]) {
        seq += 1
        heap.append((due, seq, port, bytes))
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if less(i, p) { heap.swapAt(i, p); i = p } else { break }
        }
    }

    mutating func popDue(now: UInt64) -> (Int, [UInt8])? {
        guard let top = heap.first, top.due <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(l, m) { m = l }
                if r < heap.count && less(r, m) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return (top.port, top.bytes)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        heap[a].due < heap[b].due || (heap[a].due == heap[b].due && heap[a].seq < heap[b].seq)
    }
}
