import CNetlink
import Glibc

private let clsact: UInt32 = 0xFFFF_FFF1            // TC_H_CLSACT (the ingress parent)
private let clsactHandle: UInt32 = 0xFFFF_0000      // ffff:
private let ingressParent: UInt32 = 0xFFFF_FFF2     // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)

extension RouteSocket {
    /// Puts an eBPF program (loaded as BPF_PROG_TYPE_SCHED_CLS) on an interface's ingress
    /// in direct-action mode, under a clsact queueing discipline made for it. Equivalent
    /// to: `tc qdisc add dev IF clsact; tc filter add dev IF ingress bpf da fd FD`.
    /// - Throws: `NetlinkError` (an interface that already has a clsact or ingress
    ///   discipline, a kernel without cls_bpf).
    public func attachIngressProgram(index: Int32, name: String, programFD: Int32, programName: String) throws {
        let q = try Owned(rtnl_qdisc_alloc())
        defer { rtnl_qdisc_put(q.ptr) }
        rtnl_tc_set_ifindex(q.ptr, index)
        rtnl_tc_set_parent(q.ptr, clsact)
        rtnl_tc_set_handle(q.ptr, clsactHandle)
        try check(rtnl_tc_set_kind(q.ptr, "clsact"), "set clsact on", "'\(name)'")
        try check(rtnl_qdisc_add(sock, q.ptr, NLM_F_CREATE | NLM_F_EXCL), "add a clsact discipline to", "'\(name)'")
        do {
            try addIngressFilter(index: index, name: name, programFD: programFD, programName: programName)
        } catch {
            try? detachIngressProgram(index: index, name: name)
            throw error
        }
    }

    /// The cls_bpf filter itself; libnl has no object for it, so the message is built here.
    private func addIngressFilter(index: Int32, name: String, programFD: Int32, programName: String) throws {
        guard let msg = nlmsg_alloc_simple(Int32(RTM_NEWTFILTER), NLM_F_CREATE | NLM_F_EXCL) else {
            throw NetlinkError(operation: "allocate", object: "netlink message", code: -NLE_NOMEM)
        }
        var t = tcmsg()
        t.tcm_family = UInt8(AF_UNSPEC)
        t.tcm_ifindex = index
        t.tcm_parent = ingressParent
        t.tcm_handle = 1
        // Priority 1, every protocol (ETH_P_ALL, 0x0003, in network order).
        t.tcm_info = (1 << 16) | UInt32(UInt16(0x0003).bigEndian)
        var r = nlmsg_append(msg, &t, MemoryLayout<tcmsg>.size, 4)
        if r == 0 { r = nla_put_string(msg, Int32(TCA_KIND), "bpf") }
        if r == 0, let options = nla_nest_start(msg, Int32(TCA_OPTIONS)) {
            r = nla_put_u32(msg, Int32(TCA_BPF_FD), UInt32(bitPattern: programFD))
            if r == 0 { r = nla_put_string(msg, Int32(TCA_BPF_NAME), programName) }
            if r == 0 { r = nla_put_u32(msg, Int32(TCA_BPF_FLAGS), UInt32(TCA_BPF_FLAG_ACT_DIRECT)) }
            if r == 0 { r = nla_nest_end(msg, options) }
        } else if r == 0 {
            r = -NLE_NOMEM
        }
        if r < 0 {
            nlmsg_free(msg)
            try check(r, "build the ingress filter of", "'\(name)'")
        }
        // Sends, waits for the acknowledgement and frees the message.
        try check(nl_send_sync(sock, msg), "add an ingress program to", "'\(name)'")
    }

    /// Removes the clsact discipline and the programs under it. Equivalent to:
    /// `tc qdisc del dev IF clsact`.
    public func detachIngressProgram(index: Int32, name: String) throws {
        let q = try Owned(rtnl_qdisc_alloc())
        defer { rtnl_qdisc_put(q.ptr) }
        rtnl_tc_set_ifindex(q.ptr, index)
        rtnl_tc_set_parent(q.ptr, clsact)
        rtnl_tc_set_handle(q.ptr, clsactHandle)
        try check(rtnl_qdisc_delete(sock, q.ptr), "remove the clsact discipline of", "'\(name)'")
    }
}
