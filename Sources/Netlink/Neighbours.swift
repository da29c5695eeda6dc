import CNetlink
import Glibc

extension RouteSocket {
    /// Adds (or replaces) a permanent neighbour (ARP) entry: `address` is at `mac` on
    /// the interface. The kernel never ages such an entry out nor sends ARP for it.
    ///
    /// Equivalent to: `ip neigh replace ADDRESS lladdr MAC dev IFINDEX nud permanent`.
    /// - Parameters:
    ///   - address: an IPv4 address such as "10.0.0.2".
    ///   - mac: "00:00:00:00:00:02".
    /// - Throws: `NetlinkError` naming the address and the interface.
    public func addPermanentNeighbour(index: Int32, address: String, mac: String, interfaceName: String) throws {
        let neigh = try Owned(rtnl_neigh_alloc())
        defer { rtnl_neigh_put(neigh.ptr) }
        let dst = try parseAddress(address, family: AF_INET)
        defer { nl_addr_put(dst) }
        let ll = try parseAddress(mac, family: AF_LLC)
        defer { nl_addr_put(ll) }
        rtnl_neigh_set_ifindex(neigh.ptr, index)
        rtnl_neigh_set_family(neigh.ptr, AF_INET)
        try check(rtnl_neigh_set_dst(neigh.ptr, dst), "add neighbour", address)
        rtnl_neigh_set_lladdr(neigh.ptr, ll)
        rtnl_neigh_set_state(neigh.ptr, Int32(NUD_PERMANENT))
        try check(rtnl_neigh_add(sock, neigh.ptr, NLM_F_CREATE | NLM_F_REPLACE),
                  "add neighbour", "\(address) lladdr \(mac) on \(interfaceName)")
    }

    /// Removes the neighbour (ARP) entry for an IPv4 address on an interface.
    ///
    /// Equivalent to: `ip neigh del ADDRESS dev IFINDEX`.
    /// - Returns: false when there was no such entry.
    @discardableResult
    public func deleteNeighbour(index: Int32, ipv4 address: UInt32) throws -> Bool {
        let neigh = try Owned(rtnl_neigh_alloc())
        defer { rtnl_neigh_put(neigh.ptr) }
        var be = address.bigEndian
        guard let dst = withUnsafeBytes(of: &be, { nl_addr_build(AF_INET, $0.baseAddress, 4) }) else {
            throw NetlinkError(operation: "allocate", object: "address", code: -NLE_NOMEM)
        }
        defer { nl_addr_put(dst) }
        rtnl_neigh_set_ifindex(neigh.ptr, index)
        rtnl_neigh_set_family(neigh.ptr, AF_INET)
        try check(rtnl_neigh_set_dst(neigh.ptr, dst), "delete neighbour", "\(address)")
        let rc = rtnl_neigh_delete(sock, neigh.ptr, 0)
        if rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV { return false }
        try check(rc, "delete neighbour", "on interface \(index)")
        return true
    }
}
