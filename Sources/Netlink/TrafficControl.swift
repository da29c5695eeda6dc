import CNetlink
import Glibc
import Namespaces

/// How one interface's egress is shaped (Mininet's TCLink parameters).
public struct EgressShaping: Sendable, Hashable {
    /// Rate in bits per second.
    public var bitsPerSecond: UInt64?
    /// Use a token bucket filter instead of HTB for the rate.
    public var useTBF = false
    /// Queue length in packets.
    public var queuePackets: Int?
    /// netem: delay and jitter in microseconds, loss in percent.
    public var delayMicroseconds: Int?
    public var jitterMicroseconds: Int?
    public var lossPercent: Double?

    public init() {}

    /// Whether netem (delay, jitter or loss) is needed.
    public var needsNetem: Bool { delayMicroseconds != nil || jitterMicroseconds != nil || lossPercent != nil }
}

/// The queueing disciplines the running kernel can create.
public struct QdiscSupport: Sendable {
    public var htb: Bool
    public var tbf: Bool
    public var netem: Bool

    /// Probes by creating each kind on the loopback of a throwaway namespace
    /// (missing modules make the request fail with "Object not found").
    public static func probe() throws -> QdiscSupport {
        let ns = try NetworkNamespace()
        defer { ns.close() }
        let s = try RouteSocket(namespaceFD: ns.fd)
        func works(_ shaping: EgressShaping) -> Bool {
            (try? s.shape(index: 1, name: "lo", mtu: 1500, shaping)) != nil
        }
        var rate = EgressShaping()
        rate.bitsPerSecond = 1_000_000
        var tbf = rate
        tbf.useTBF = true
        var netem = EgressShaping()
        netem.delayMicroseconds = 1000
        return QdiscSupport(htb: works(rate), tbf: works(tbf), netem: works(netem))
    }
}

private let rootHandle: UInt32 = 5 << 16           // 5:
private let rateClass: UInt32 = (5 << 16) | 1      // 5:1
private let leafHandle: UInt32 = 10 << 16          // 10:

extension RouteSocket {
    /// Removes the root queueing discipline, if any. Equivalent to: `tc qdisc del dev IF root`.
    public func clearShaping(index: Int32, name: String) throws {
        let q = try Owned(rtnl_qdisc_alloc())
        defer { rtnl_qdisc_put(q.ptr) }
        rtnl_tc_set_ifindex(q.ptr, index)
        rtnl_tc_set_parent(q.ptr, UInt32(TC_H_ROOT))
        let r = rtnl_qdisc_delete(sock, q.ptr)
        // Nothing to delete is fine (the default qdisc cannot be deleted either).
        if r < 0 && -r != NLE_OBJ_NOTFOUND && -r != NLE_INVAL && -r != NLE_NOADDR {
            try check(r, "remove shaping from", "'\(name)'")
        }
    }

    /// A queueing discipline object for `index` at `parent` with `handle` and `kind`;
    /// the caller releases it with rtnl_qdisc_put.
    private func newQdisc(index: Int32, parent: UInt32, handle: UInt32, kind: String, name: String) throws -> OpaquePointer {
        let q = try Owned(rtnl_qdisc_alloc()).ptr
        rtnl_tc_set_ifindex(q, index)
        rtnl_tc_set_parent(q, parent)
        rtnl_tc_set_handle(q, handle)
        let r = rtnl_tc_set_kind(q, kind)
        if r < 0 { rtnl_qdisc_put(q) }
        try check(r, "set \(kind) on", "'\(name)'")
        return q
    }

    /// Shapes an interface's egress, replacing what was there.
    ///
    /// Equivalent to: `tc qdisc replace dev IF root handle 5: htb default 1`,
    /// `tc class replace dev IF parent 5: classid 5:1 htb rate R ceil R` (or `tbf rate R`),
    /// then under it `netem delay D jitter J loss L limit Q` or `pfifo limit Q`.
    public func shape(index: Int32, name: String, mtu: Int, _ s: EgressShaping) throws {
        // Changing an HTB tree in place is refused by the kernel when its options differ:
        // start from the interface's default queueing instead.
        try clearShaping(index: index, name: name)
        let flags = NLM_F_CREATE | NLM_F_REPLACE
        var leafParent = UInt32(TC_H_ROOT)
        if let bps = s.bitsPerSecond {
            let bytes = bps / 8
            if s.useTBF {
                let q = try newQdisc(index: index, parent: UInt32(TC_H_ROOT), handle: rootHandle, kind: "tbf", name: name)
                defer { rtnl_qdisc_put(q) }
                // A bucket of at least one MTU and ~4 ms at the rate, as tc users pick.
                let bucket = Int32(max(UInt64(mtu) * 2, bytes / 250))
                rtnl_qdisc_tbf_set_rate(q, Int32(clamping: bytes), bucket, 0)
                let queue = UInt64(s.queuePackets ?? 1000) * UInt64(mtu)
                rtnl_qdisc_tbf_set_limit(q, Int32(clamping: queue))
                try check(rtnl_qdisc_add(sock, q, flags), "set tbf rate \(bps) bit/s on", "'\(name)'")
                leafParent = rootHandle | 1  // tbf's one class; its limit already bounds the queue
            } else {
                let q = try newQdisc(index: index, parent: UInt32(TC_H_ROOT), handle: rootHandle, kind: "htb", name: name)
                defer { rtnl_qdisc_put(q) }
                try check(rtnl_htb_set_defcls(q, 1), "set htb on", "'\(name)'")
                try check(rtnl_qdisc_add(sock, q, flags), "set htb on", "'\(name)'")
                let c = try Owned(rtnl_class_alloc())
                defer { rtnl_class_put(c.ptr) }
                rtnl_tc_set_ifindex(c.ptr, index)
                rtnl_tc_set_parent(c.ptr, rootHandle)
                rtnl_tc_set_handle(c.ptr, rateClass)
                rtnl_tc_set_mtu(c.ptr, UInt32(mtu))
                try check(rtnl_tc_set_kind(c.ptr, "htb"), "set htb class on", "'\(name)'")
                try check(rtnl_htb_set_rate64(c.ptr, bytes), "set htb rate on", "'\(name)'")
                try check(rtnl_htb_set_ceil64(c.ptr, bytes), "set htb ceil on", "'\(name)'")
                try check(rtnl_class_add(sock, c.ptr, flags), "set htb rate \(bps) bit/s on", "'\(name)'")
                leafParent = rateClass
            }
        }
        if s.needsNetem || s.queuePackets != nil {
            let q = try Owned(rtnl_qdisc_alloc())
            defer { rtnl_qdisc_put(q.ptr) }
            rtnl_tc_set_ifindex(q.ptr, index)
            rtnl_tc_set_parent(q.ptr, leafParent)
            rtnl_tc_set_handle(q.ptr, leafParent == UInt32(TC_H_ROOT) ? rootHandle : leafHandle)
            if s.needsNetem {
                try check(rtnl_tc_set_kind(q.ptr, "netem"), "set netem on", "'\(name)'")
                if let d = s.delayMicroseconds { rtnl_netem_set_delay(q.ptr, Int32(d)) }
                if let j = s.jitterMicroseconds { rtnl_netem_set_jitter(q.ptr, Int32(j)) }
                if let l = s.lossPercent {
                    // netem's loss is a probability scaled to the full 32-bit range.
                    let scaled = UInt32(min(1, max(0, l / 100)) * Double(UInt32.max))
                    rtnl_netem_set_loss(q.ptr, Int32(bitPattern: scaled))
                }
                if let limit = s.queuePackets { rtnl_netem_set_limit(q.ptr, Int32(limit)) }
                try check(rtnl_qdisc_add(sock, q.ptr, flags), "set netem on", "'\(name)'")
            } else if !s.useTBF {
                try check(rtnl_tc_set_kind(q.ptr, "pfifo"), "set pfifo on", "'\(name)'")
                try check(rtnl_qdisc_fifo_set_limit(q.ptr, Int32(s.queuePackets ?? 1000)), "set pfifo on", "'\(name)'")
                try check(rtnl_qdisc_add(sock, q.ptr, flags), "set queue limit on", "'\(name)'")
            }
        }
    }
}
