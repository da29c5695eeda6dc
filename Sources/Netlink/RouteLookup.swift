import CNetlink
import Glibc

/// The kind of a route, as the kernel's FIB lookup answers (`rtm_type`).
public enum RouteType: Sendable, Hashable, CustomStringConvertible {
    case unicast, local, broadcast, blackhole, unreachable, prohibit, `throw`
    case other(UInt8)

    init(_ raw: UInt8) {
        switch raw {
        case 1: self = .unicast
        case 2: self = .local
        case 3: self = .broadcast
        case 6: self = .blackhole
        case 7: self = .unreachable
        case 8: self = .prohibit
        case 9: self = .throw
        default: self = .other(raw)
        }
    }

    public var description: String {
        switch self {
        case .unicast: return "unicast"
        case .local: return "local"
        case .broadcast: return "broadcast"
        case .blackhole: return "blackhole"
        case .unreachable: return "unreachable"
        case .prohibit: return "prohibit"
        case .throw: return "throw"
        case .other(let t): return "type \(t)"
        }
    }
}

/// The kernel's answer to "how would a packet to DST leave this namespace".
public struct RouteLookup: Sendable, Hashable {
    /// The address asked about.
    public var destination: String
    public var type: RouteType
    /// The next hop ("via"), nil for a destination on a directly connected link.
    public var gateway: String?
    /// The outgoing interface ("dev").
    public var outputIndex: Int32?
    public var outputName: String?
    /// The source address the kernel would pick ("src").
    public var preferredSource: String?
    public var table: UInt32
}

extension RouteSocket {
    /// Asks the kernel's FIB which route a packet to `destination` takes.
    ///
    /// Equivalent to: `ip route get DESTINATION`. An answer of "no route" (the kernel's
    /// ENETUNREACH or EHOSTUNREACH) is a lookup of type `.unreachable`, not an error.
    /// - Throws: `NetlinkError` when the request cannot be sent or is refused otherwise.
    public func routeGet(_ destination: String) throws -> RouteLookup {
        let v6 = destination.contains(":")
        let family = v6 ? AF_INET6 : AF_INET
        var addr = [UInt8](repeating: 0, count: v6 ? 16 : 4)
        guard inet_pton(family, destination, &addr) == 1 else {
            throw NetlinkError(operation: "route get", object: destination, code: -NLE_INVAL)
        }
        guard let msg = nlmsg_alloc_simple(Int32(RTM_GETROUTE), NLM_F_ACK) else {
            throw NetlinkError(operation: "route get", object: destination, code: -NLE_NOMEM)
        }
        defer { nlmsg_free(msg) }
        var rtm = rtmsg()
        rtm.rtm_family = UInt8(family)
        rtm.rtm_dst_len = UInt8(addr.count * 8)
        try check(nlmsg_append(msg, &rtm, MemoryLayout<rtmsg>.size, Int32(NLMSG_ALIGNTO)), "route get", destination)
        try check(nla_put(msg, Int32(RTA_DST.rawValue), Int32(addr.count), addr), "route get", destination)
        // The reply is read here, not by libnl's receive loop, which would leave its
        // sequence bookkeeping one behind; the exchange is drained up to its ACK, so the
        // socket holds nothing stale afterwards.
        nl_socket_disable_seq_check(sock)
        try check(nl_send_auto(sock, msg), "route get", destination)

        var lookup = RouteLookup(destination: destination, type: .unreachable, table: 0)
        var gotRoute = false
        // The reply, then (with the socket's automatic ACK) an acknowledgement: read up to it.
        receiving: while true {
            var peer = sockaddr_nl()
            var buf: UnsafeMutablePointer<UInt8>?
            let n = nl_recv(sock, &peer, &buf, nil)
            if n <= 0 { try check(n == 0 ? -NLE_MSG_TRUNC : n, "route get", destination) }
            defer { free(buf) }
            let bytes = UnsafeBufferPointer(start: buf, count: Int(n))
            var off = 0
            while off + 16 <= bytes.count {
                let len = Int(Self.u32(bytes, off))
                let type = Self.u16(bytes, off + 4)
                guard len >= 16, off + len <= bytes.count else { break }
                if type == UInt16(NLMSG_ERROR) {
                    let code = Int32(bitPattern: Self.u32(bytes, off + 16))
                    if code == -ENETUNREACH || code == -EHOSTUNREACH {
                        return RouteLookup(destination: destination, type: .unreachable, table: 0)
                    }
                    if code != 0 { throw NetlinkError(operation: "route get", object: destination, code: -Int32(nl_syserr2nlerr(-code))) }
                    if gotRoute { break receiving }
                } else if type == UInt16(RTM_NEWROUTE) {
                    parseRoute(bytes, from: off + 16, to: off + len, family: family, into: &lookup)
                    gotRoute = true
                } else if type == UInt16(NLMSG_DONE) {
                    break receiving
                }
                off += (len + 3) & ~3
            }
        }
        if let i = lookup.outputIndex {
            lookup.outputName = try links().first { $0.index == i }?.name
        }
        return lookup
    }

    private func parseRoute(_ b: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, family: Int32, into r: inout RouteLookup) {
        guard start + 12 <= end else { return }
        r.table = UInt32(b[start + 4])
        r.type = RouteType(b[start + 7])
        var off = start + 12
        while off + 4 <= end {
            let len = Int(Self.u16(b, off))
            let type = Self.u16(b, off + 2)
            guard len >= 4, off + len <= end else { break }
            let data = Array(b[(off + 4)..<(off + len)])
            switch Int32(type) {
            case Int32(RTA_GATEWAY.rawValue): r.gateway = Self.text(data, family)
            case Int32(RTA_OIF.rawValue) where data.count >= 4: r.outputIndex = Int32(bitPattern: Self.u32(data))
            case Int32(RTA_PREFSRC.rawValue): r.preferredSource = Self.text(data, family)
            case Int32(RTA_TABLE.rawValue) where data.count >= 4: r.table = Self.u32(data)
            default: break
            }
            off += (len + 3) & ~3
        }
    }

    private static func u16(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt16 {
        UInt16(b[i]) | UInt16(b[i + 1]) << 8
    }
    private static func u32(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    private static func u32(_ d: [UInt8]) -> UInt32 {
        UInt32(d[0]) | UInt32(d[1]) << 8 | UInt32(d[2]) << 16 | UInt32(d[3]) << 24
    }
    private static func text(_ d: [UInt8], _ family: Int32) -> String? {
        var out = [CChar](repeating: 0, count: 64)
        guard d.count == (family == AF_INET6 ? 16 : 4), inet_ntop(family, d, &out, 64) != nil else { return nil }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
