import CNetlink
import Glibc

/// One end of a veth pair to create.
public struct VethEnd: Sendable {
    public var name: String
    /// The ifindex to give the interface in its namespace (indexes are per namespace).
    public var index: Int32
    /// The namespace to create this end in, or nil for the socket's own namespace.
    public var namespaceFD: Int32?
    public var mtu: Int?
    public var mac: String?
    /// Made up (IFF_UP at creation), which saves a change afterwards; for the first end of
    /// `addVeth` only.
    public var up = false
    /// The bridge to enslave it to at creation; for the first end of `addVeth` only.
    public var master: Int32?

    public init(name: String, index: Int32, namespaceFD: Int32? = nil, mtu: Int? = nil, mac: String? = nil) {
        self.name = name
        self.index = index
        self.namespaceFD = namespaceFD
        self.mtu = mtu
        self.mac = mac
    }
}

/// What `RouteSocket.links()` reports of one interface.
public struct LinkInfo: Sendable, Hashable {
    public var index: Int32
    public var name: String
    public var kind: String?
    public var isUp: Bool
    public var hasCarrier: Bool
    public var mtu: Int
    public var mac: String
    /// ifindex of the bridge this port belongs to, 0 when none.
    public var master: Int32
}

extension RouteSocket {
    /// Creates a veth pair, each end directly in its namespace (never moved afterwards).
    ///
    /// Equivalent to: `ip link add A index I type veth peer name B index J netns NS`.
    /// Both ends are created down and without a master: the kernel refuses those in the
    /// same request when the peer goes to another namespace. Use `setLink` afterwards.
    public func addVeth(_ end: VethEnd, peer: VethEnd) throws {
        let link = try Owned(rtnl_link_veth_alloc())
        defer { rtnl_link_put(link.ptr) }
        guard let p = rtnl_link_veth_get_peer(link.ptr) else {
            throw NetlinkError(operation: "create veth", object: end.name, code: -NLE_NOMEM)
        }
        defer { rtnl_link_put(p) }
        try configure(link.ptr, end)
        var peer = peer
        peer.up = false
        peer.master = nil
        try configure(p, peer)
        try check(rtnl_link_add(sock, link.ptr, NLM_F_CREATE | NLM_F_EXCL),
                  "create veth", "'\(end.name)' (peer '\(peer.name)')")
    }

    private func configure(_ link: OpaquePointer, _ end: VethEnd) throws {
        rtnl_link_set_name(link, end.name)
        rtnl_link_set_ifindex(link, end.index)
        if let fd = end.namespaceFD { rtnl_link_set_ns_fd(link, fd) }
        if let mtu = end.mtu { rtnl_link_set_mtu(link, UInt32(mtu)) }
        if end.up { rtnl_link_set_flags(link, UInt32(IFF_UP)) }
        if let master = end.master { rtnl_link_set_master(link, master) }
        if let mac = end.mac {
            let addr = try parseAddress(mac, family: AF_LLC)
            defer { nl_addr_put(addr) }
            rtnl_link_set_addr(link, addr)
        }
    }

    /// Creates a Linux bridge.
    ///
    /// Equivalent to: `ip link add NAME index I type bridge stp_state S forward_delay D`.
    /// - Parameters:
    ///   - stp: turn on the kernel's spanning tree (for topologies with loops).
    ///   - forwardDelay: seconds each STP state lasts (2 to 30); ignored without STP.
    public func addBridge(name: String, index: Int32, stp: Bool = false, forwardDelay: Int = 2) throws {
        guard let msg = nlmsg_alloc_simple(Int32(RTM_NEWLINK), NLM_F_CREATE | NLM_F_EXCL) else {
            throw NetlinkError(operation: "create bridge", object: name, code: -NLE_NOMEM)
        }
        do {
            try fillBridgeRequest(msg, name: name, index: index, stp: stp, forwardDelay: forwardDelay)
        } catch {
            nlmsg_free(msg)
            throw error
        }
        // nl_send_sync frees the message.
        try check(nl_send_sync(sock, msg), "create bridge", "'\(name)'")
    }

    private func fillBridgeRequest(_ msg: OpaquePointer, name: String, index: Int32, stp: Bool, forwardDelay: Int) throws {
        var ifi = ifinfomsg()
        ifi.ifi_family = UInt8(AF_UNSPEC)
        ifi.ifi_index = index
        try check(nlmsg_append(msg, &ifi, MemoryLayout<ifinfomsg>.size, Int32(NLMSG_ALIGNTO)), "create bridge", name)
        try check(nla_put_string(msg, Int32(IFLA_IFNAME), name), "create bridge", name)
        guard let info = nla_nest_start(msg, Int32(IFLA_LINKINFO)) else {
            throw NetlinkError(operation: "create bridge", object: name, code: -NLE_NOMEM)
        }
        try check(nla_put_string(msg, Int32(IFLA_INFO_KIND), "bridge"), "create bridge", name)
        guard let data = nla_nest_start(msg, Int32(IFLA_INFO_DATA)) else {
            throw NetlinkError(operation: "create bridge", object: name, code: -NLE_NOMEM)
        }
        // Times are in USER_HZ (centiseconds).
        try check(nla_put_u32(msg, Int32(IFLA_BR_FORWARD_DELAY), UInt32(stp ? forwardDelay * 100 : 0)), "create bridge", name)
        try check(nla_put_u32(msg, Int32(IFLA_BR_STP_STATE), stp ? 1 : 0), "create bridge", name)
        if stp {
            try check(nla_put_u32(msg, Int32(IFLA_BR_HELLO_TIME), 100), "create bridge", name)
            try check(nla_put_u32(msg, Int32(IFLA_BR_MAX_AGE), 600), "create bridge", name)
        }
        nla_nest_end(msg, data)
        nla_nest_end(msg, info)
    }

    /// Changes an existing interface found by index.
    ///
    /// Equivalent to: `ip link set dev IFINDEX [up|down] [master M] [mtu N] [address A]
    /// [addrgenmode eui64|none]` (`ipv6LinkLocal: false`: no IPv6 link-local address, so no
    /// DAD, router solicitation or MLD from it).
    public func setLink(index: Int32, name: String, up: Bool? = nil, master: Int32? = nil,
                        mtu: Int? = nil, mac: String? = nil, ipv6LinkLocal: Bool? = nil) throws {
        let orig = try Owned(rtnl_link_alloc())
        defer { rtnl_link_put(orig.ptr) }
        let change = try Owned(rtnl_link_alloc())
        defer { rtnl_link_put(change.ptr) }
        rtnl_link_set_ifindex(orig.ptr, index)
        if let up {
            if up { rtnl_link_set_flags(change.ptr, UInt32(IFF_UP)) } else { rtnl_link_unset_flags(change.ptr, UInt32(IFF_UP)) }
        }
        if let master { rtnl_link_set_master(change.ptr, master) }
        if let mtu { rtnl_link_set_mtu(change.ptr, UInt32(mtu)) }
        if let mac {
            let addr = try parseAddress(mac, family: AF_LLC)
            defer { nl_addr_put(addr) }
            rtnl_link_set_addr(change.ptr, addr)
        }
        if let ipv6LinkLocal {
            // IN6_ADDR_GEN_MODE_EUI64 (0) or IN6_ADDR_GEN_MODE_NONE (1).
            _ = rtnl_link_inet6_set_addr_gen_mode(change.ptr, ipv6LinkLocal ? 0 : 1)
        }
        var what: [String] = []
        if let up { what.append(up ? "up" : "down") }
        if let master { what.append("master #\(master)") }
        if let mtu { what.append("mtu \(mtu)") }
        if let mac { what.append("address \(mac)") }
        if let ipv6LinkLocal { what.append("addrgenmode \(ipv6LinkLocal ? "eui64" : "none")") }
        try check(rtnl_link_change(sock, orig.ptr, change.ptr, 0), "set link " + what.joined(separator: " "), "'\(name)'")
    }

    /// Lists the interfaces of the socket's namespace. Equivalent to: `ip -d link show`.
    public func links() throws -> [LinkInfo] {
        var cache: OpaquePointer?
        try check(rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache), "list", "links")
        defer { nl_cache_free(cache) }
        var out: [LinkInfo] = []
        var obj = nl_cache_get_first(cache)
        var buf = [CChar](repeating: 0, count: 64)
        while let o = obj {
            let l = o  // struct nl_object * is a struct rtnl_link * for this cache
            let name = rtnl_link_get_name(l).map { String(cString: $0) } ?? ""
            let kind = rtnl_link_get_type(l).map { String(cString: $0) }
            let flags = rtnl_link_get_flags(l)
            var mac = ""
            if let a = rtnl_link_get_addr(l) {
                mac = String(cString: nl_addr2str(a, &buf, buf.count))
            }
            out.append(LinkInfo(index: rtnl_link_get_ifindex(l), name: name, kind: kind,
                                isUp: flags & UInt32(IFF_UP) != 0,
                                hasCarrier: rtnl_link_get_carrier(l) != 0,
                                mtu: Int(rtnl_link_get_mtu(l)), mac: mac,
                                master: rtnl_link_get_master(l)))
            obj = nl_cache_get_next(o)
        }
        return out
    }

    /// The STP state of every bridge port, by ifindex (BR_STATE_*: 0 disabled,
    /// 1 listening, 2 learning, 3 forwarding, 4 blocking). Equivalent to: `bridge link`.
    public func bridgePortStates() throws -> [Int32: Int] {
        var cache: OpaquePointer?
        try check(rtnl_link_alloc_cache(sock, AF_BRIDGE, &cache), "list", "bridge ports")
        defer { nl_cache_free(cache) }
        var out: [Int32: Int] = [:]
        var obj = nl_cache_get_first(cache)
        while let l = obj {
            // The bridge itself is in this dump too, as its own master: skip it.
            let master = rtnl_link_get_master(l)
            if master != 0 && master != rtnl_link_get_ifindex(l) {
                out[rtnl_link_get_ifindex(l)] = Int(rtnl_link_bridge_get_port_state(l))
            }
            obj = nl_cache_get_next(l)
        }
        return out
    }
}
