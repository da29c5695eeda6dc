import CNetlink
import Glibc

extension RouteSocket {
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
