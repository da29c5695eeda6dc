import CNetlink
import Glibc

/// An address as `RouteSocket.addresses()` reports it.
public struct AddressInfo: Sendable, Hashable {
    public var index: Int32
    /// "10.0.0.1/8" or "fe80::1/64".
    public var cidr: String
    public var family: Int32
}

/// A route as `RouteSocket.routes()` reports it.
public struct RouteInfo: Sendable, Hashable {
    /// "10.0.0.0/8", or "default".
    public var destination: String
    public var gateway: String?
    public var outputIndex: Int32?
    public var table: UInt32
    /// AF_INET or AF_INET6 (which a "default" destination does not say).
    public var family: Int32
}

extension RouteSocket {
    /// Adds an IPv4 or IPv6 address to an interface.
    ///
    /// Equivalent to: `ip addr add CIDR dev IFINDEX` (IPv6 with `nodad`, so it is usable at once).
    public func addAddress(index: Int32, cidr: String, interfaceName: String) throws {
        let family = addressFamily(of: cidr)
        let addr = try Owned(rtnl_addr_alloc())
        defer { rtnl_addr_put(addr.ptr) }
        let local = try parseAddress(cidr, family: family)
        defer { nl_addr_put(local) }
        rtnl_addr_set_ifindex(addr.ptr, index)
        try check(rtnl_addr_set_local(addr.ptr, local), "add address", "\(cidr) on '\(interfaceName)'")
        if family == AF_INET6 { rtnl_addr_set_flags(addr.ptr, UInt32(IFA_F_NODAD)) }
        try check(rtnl_addr_add(sock, addr.ptr, NLM_F_CREATE | NLM_F_EXCL), "add address", "\(cidr) on '\(interfaceName)'")
    }

    /// Lists the addresses of the socket's namespace. Equivalent to: `ip addr show`.
    public func addresses() throws -> [AddressInfo] {
        var cache: OpaquePointer?
        try check(rtnl_addr_alloc_cache(sock, &cache), "list", "addresses")
        defer { nl_cache_free(cache) }
        var out: [AddressInfo] = []
        var buf = [CChar](repeating: 0, count: 128)
        var obj = nl_cache_get_first(cache)
        while let a = obj {
            if let local = rtnl_addr_get_local(a) {
                let text = String(cString: nl_addr2str(local, &buf, buf.count))
                let cidr = text.contains("/") ? text : "\(text)/\(rtnl_addr_get_prefixlen(a))"
                out.append(AddressInfo(index: rtnl_addr_get_ifindex(a), cidr: cidr, family: rtnl_addr_get_family(a)))
            }
            obj = nl_cache_get_next(a)
        }
        return out
    }

    /// Adds a route in the main table.
    ///
    /// Equivalent to: `ip route add DEST [via GATEWAY] [dev IFINDEX]`.
    /// - Parameter destination: "10.2.0.0/24", "fd00:2::/64" or "default".
    public func addRoute(destination: String, gateway: String? = nil, outputIndex: Int32? = nil) throws {
        let family = addressFamily(of: gateway ?? destination)
        let route = try Owned(rtnl_route_alloc())
        defer { rtnl_route_put(route.ptr) }
        let object = "\(destination)" + (gateway.map { " via \($0)" } ?? "")
        let dst = try parseAddress(destination, family: family)
        defer { nl_addr_put(dst) }
        rtnl_route_set_family(route.ptr, UInt8(family))
        try check(rtnl_route_set_dst(route.ptr, dst), "add route", object)
        rtnl_route_set_table(route.ptr, UInt32(RT_TABLE_MAIN.rawValue))
        rtnl_route_set_protocol(route.ptr, UInt8(RTPROT_STATIC))
        guard let nh = rtnl_route_nh_alloc() else {
            throw NetlinkError(operation: "add route", object: object, code: -NLE_NOMEM)
        }
        if let gateway {
            let gw = try parseAddress(gateway, family: family)
            defer { nl_addr_put(gw) }
            rtnl_route_nh_set_gateway(nh, gw)
        }
        if let outputIndex { rtnl_route_nh_set_ifindex(nh, outputIndex) }
        rtnl_route_add_nexthop(route.ptr, nh)  // the route owns nh from here
        if gateway == nil { rtnl_route_set_scope(route.ptr, UInt8(RT_SCOPE_LINK.rawValue)) }
        try check(rtnl_route_add(sock, route.ptr, NLM_F_CREATE | NLM_F_EXCL), "add route", object)
    }

    /// Lists the routes of the main table. Equivalent to: `ip route show` and `ip -6 route show`.
    public func routes() throws -> [RouteInfo] {
        var cache: OpaquePointer?
        try check(rtnl_route_alloc_cache(sock, AF_UNSPEC, 0, &cache), "list", "routes")
        defer { nl_cache_free(cache) }
        var out: [RouteInfo] = []
        var buf = [CChar](repeating: 0, count: 128)
        var obj = nl_cache_get_first(cache)
        while let r = obj {
            let table = rtnl_route_get_table(r)
            if table == UInt32(RT_TABLE_MAIN.rawValue), let dst = rtnl_route_get_dst(r) {
                var dest = String(cString: nl_addr2str(dst, &buf, buf.count))
                if nl_addr_get_prefixlen(dst) == 0 { dest = "default" }
                var gw: String?
                var oif: Int32?
                if rtnl_route_get_nnexthops(r) > 0, let nh = rtnl_route_nexthop_n(r, 0) {
                    if let g = rtnl_route_nh_get_gateway(nh) { gw = String(cString: nl_addr2str(g, &buf, buf.count)) }
                    oif = rtnl_route_nh_get_ifindex(nh)
                }
                out.append(RouteInfo(destination: dest, gateway: gw, outputIndex: oif, table: table,
                                     family: Int32(rtnl_route_get_family(r))))
            }
            obj = nl_cache_get_next(r)
        }
        return out
    }
}
