import CNetlink
import Glibc

/// The kind of a route, as the kernel's FIB lookup answers (`rtm_type`).
public enum RouteType: Sendable, Hashable, CustomStringConvertible {
    case unicast, local, broadcast, blackhole, unreachable, prohibit, `throw`
    case other(UInt8)

    init(_ raw: UInt8) {
        switch Int(raw) {
        case RTN_UNICAST: self = .unicast
        case RTN_LOCAL: self = .local
        case RTN_BROADCAST: self = .broadcast
        case RTN_BLACKHOLE: self = .blackhole
        case RTN_UNREACHABLE: self = .unreachable
        case RTN_PROHIBIT: self = .prohibit
        case RTN_THROW: self = .throw
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

/// The kernel's answer to "how would a packet to DST leave this namespace", as
/// `ip route get DST` prints it.
public struct RouteLookup: Sendable, Hashable {
    /// The address asked about, as given.
    public var destination: String
    public var type: RouteType
    /// The next hop ("via"), nil for a destination on a directly connected link.
    public var gateway: String?
    /// The outgoing interface's ifindex ("dev").
    public var outputIndex: Int32?
    /// The outgoing interface's name in the socket's namespace.
    public var outputName: String?
    /// The source address the kernel would pick ("src").
    public var preferredSource: String?
    /// The table the route was found in (254 main, 255 local); 0 when there is none.
    /// IPv4 keeps its local table merged into main while there are no policy rules, so
    /// its local routes are then reported in 254, as `ip route get` shows.
    public var table: UInt32
}

extension RouteSocket {
    /// Asks the kernel's FIB which route a packet to `destination` takes.
    ///
    /// Equivalent to: `ip route get DST [from SRC] [iif DEV]`, IPv4 or IPv6 by the form
    /// of `destination`.
    ///
    /// Without `inputInterface` this is the lookup for a packet the namespace sends
    /// itself; `source`, if given, must then be one of its own addresses.
    /// With `inputInterface` the kernel simulates the forwarding of a packet that arrived
    /// on that interface: the decision a router makes. For IPv4 such a lookup needs
    /// - a `source` (the kernel refuses a packet from 0.0.0.0 as a martian: `NetlinkError`),
    ///   which also must pass reverse-path filtering when `rp_filter` is on;
    /// - forwarding on (`net.ipv4.ip_forward=1`): in a namespace that does not forward, the
    ///   answer for any address not its own is `.unreachable`, which is what a host does
    ///   with such a packet.
    /// IPv6 forwarding lookups answer with the route regardless of forwarding.
    ///
    /// - Parameters:
    ///   - destination: an address ("10.0.0.2", "fd00::2"), without prefix length.
    ///   - source: the packet's source address, of the same family.
    ///   - inputInterface: the ifindex, in this namespace, the packet arrived on.
    /// - Returns: the route; a lookup of type `.unreachable` (and no interface) when the
    ///   kernel answers "no route" (ENETUNREACH or EHOSTUNREACH).
    /// - Throws: `NetlinkError` for an address that does not parse, mixed families, an
    ///   unknown interface, or any other refusal.
    public func routeGet(_ destination: String, source: String? = nil, inputInterface: Int32? = nil) throws -> RouteLookup {
        let object = destination + (source.map { " from \($0)" } ?? "") + (inputInterface.map { " iif #\($0)" } ?? "")
        let family = addressFamily(of: destination)
        let dst = try Self.binaryAddress(destination, family: family, object: object)
        let src = try source.map { try Self.binaryAddress($0, family: family, object: object) }

        guard let msg = nlmsg_alloc_simple(Int32(RTM_GETROUTE), 0) else {
            throw NetlinkError(operation: "route get", object: object, code: -NLE_NOMEM)
        }
        defer { nlmsg_free(msg) }
        var rtm = rtmsg()
        rtm.rtm_family = UInt8(family)
        rtm.rtm_dst_len = UInt8(dst.count * 8)
        rtm.rtm_src_len = UInt8((src?.count ?? 0) * 8)
        try check(nlmsg_append(msg, &rtm, MemoryLayout<rtmsg>.size, Int32(NLMSG_ALIGNTO)), "route get", object)
        try check(nla_put(msg, Int32(RTA_DST.rawValue), Int32(dst.count), dst), "route get", object)
        if let src {
            try check(nla_put(msg, Int32(RTA_SRC.rawValue), Int32(src.count), src), "route get", object)
        }
        if let inputInterface {
            try check(nla_put_u32(msg, Int32(RTA_IIF.rawValue), UInt32(bitPattern: inputInterface)), "route get", object)
        }

        let reply = RouteReply(RouteLookup(destination: destination, type: .unreachable, table: 0), family: family)
        try exchange(msg, reply, object: object)
        if let code = reply.kernelError {
            if code == ENETUNREACH || code == EHOSTUNREACH { return reply.lookup }
            throw NetlinkError(operation: "route get", object: object, code: -Int32(nl_syserr2nlerr(code)))
        }
        if let code = reply.parseError { throw NetlinkError(operation: "route get", object: object, code: code) }
        guard reply.answered else {
            throw NetlinkError(operation: "route get", object: object, code: -NLE_OBJ_NOTFOUND)
        }
        var lookup = reply.lookup
        if let i = lookup.outputIndex {
            lookup.outputName = try links().first { $0.index == i }?.name
        }
        return lookup
    }

    /// Sends `msg` (libnl adds NLM_F_REQUEST and NLM_F_ACK) and reads the kernel's answer
    /// up to the end of the exchange: the RTM_NEWROUTE reply then the ACK, or an error.
    /// libnl's own receive loop reads it, so its sequence bookkeeping stays right for the
    /// socket's later requests.
    private func exchange(_ msg: OpaquePointer, _ reply: RouteReply, object: String) throws {
        guard let base = nl_socket_get_cb(sock) else {
            throw NetlinkError(operation: "route get", object: object, code: -NLE_NOMEM)
        }
        let cloned = nl_cb_clone(base)
        nl_cb_put(base)
        guard let cb = cloned else {
            throw NetlinkError(operation: "route get", object: object, code: -NLE_NOMEM)
        }
        defer { nl_cb_put(cb) }
        let arg = Unmanaged.passUnretained(reply).toOpaque()
        nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, { msg, arg in
            guard let msg, let arg else { return Int32(NL_SKIP.rawValue) }
            Unmanaged<RouteReply>.fromOpaque(arg).takeUnretainedValue().parse(msg)
            return Int32(NL_OK.rawValue)
        }, arg)
        nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, { _, arg in
            if let arg { Unmanaged<RouteReply>.fromOpaque(arg).takeUnretainedValue().acknowledged = true }
            return Int32(NL_STOP.rawValue)
        }, arg)
        nl_cb_err(cb, NL_CB_CUSTOM, { _, err, arg in
            if let arg, let err {
                Unmanaged<RouteReply>.fromOpaque(arg).takeUnretainedValue().kernelError = -err.pointee.error
            }
            return Int32(NL_STOP.rawValue)
        }, arg)

        try check(nl_send_auto(sock, msg), "route get", object)
        // Each message comes in its own datagram, and nl_recvmsgs reads one datagram
        // (a reply is not multipart): loop until the ACK or the error that ends it.
        while !reply.acknowledged && reply.kernelError == nil {
            let r = nl_recvmsgs(sock, cb)
            if reply.kernelError != nil { break }
            try check(r, "route get", object)
        }
    }

    /// `text` as the bytes of an address of `family`.
    private static func binaryAddress(_ text: String, family: Int32, object: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: family == AF_INET6 ? 16 : 4)
        guard inet_pton(family, text, &bytes) == 1 else {
            let mixed = addressFamily(of: text) != family || inet_pton(addressFamily(of: text), text, &bytes) == 1
            throw NetlinkError(operation: "route get", object: object, code: mixed ? -NLE_AF_MISMATCH : -NLE_INVAL)
        }
        return bytes
    }
}

/// What the receive callbacks of one route request collect.
private final class RouteReply {
    var lookup: RouteLookup
    let family: Int32
    /// An RTM_NEWROUTE was read.
    var answered = false
    /// The kernel's ACK ended the exchange.
    var acknowledged = false
    /// The errno of the kernel's error answer, which ends the exchange instead of an ACK.
    var kernelError: Int32?
    /// A libnl code when the reply did not parse.
    var parseError: Int32?

    init(_ lookup: RouteLookup, family: Int32) {
        self.lookup = lookup
        self.family = family
    }

    /// Reads the attributes of an RTM_NEWROUTE reply into `lookup`.
    func parse(_ msg: OpaquePointer) {
        guard let hdr = nlmsg_hdr(msg), hdr.pointee.nlmsg_type == UInt16(RTM_NEWROUTE) else { return }
        let headerSize = Int32(MemoryLayout<rtmsg>.size)
        guard nlmsg_valid_hdr(hdr, headerSize) != 0, let data = nlmsg_data(hdr) else {
            parseError = -NLE_MSG_TOOSHORT
            return
        }
        let rtm = data.loadUnaligned(as: rtmsg.self)
        let maxType = Int32(__RTA_MAX.rawValue) - 1
        var tb = [UnsafeMutablePointer<nlattr>?](repeating: nil, count: Int(maxType) + 1)
        let r = nlmsg_parse(hdr, headerSize, &tb, maxType, nil)
        if r < 0 {
            parseError = r
            return
        }
        func attr(_ t: rtattr_type_t) -> UnsafeMutablePointer<nlattr>? { tb[Int(t.rawValue)] }
        answered = true
        lookup.type = RouteType(rtm.rtm_type)
        lookup.table = attr(RTA_TABLE).map { nla_get_u32($0) } ?? UInt32(rtm.rtm_table)
        lookup.gateway = attr(RTA_GATEWAY).flatMap(text)
        lookup.outputIndex = attr(RTA_OIF).map { Int32(bitPattern: nla_get_u32($0)) }
        lookup.preferredSource = attr(RTA_PREFSRC).flatMap(text)
    }

    /// An address attribute of the reply's family as text ("10.0.0.1", "fd00::1").
    private func text(_ a: UnsafeMutablePointer<nlattr>) -> String? {
        guard Int(nla_len(a)) == (family == AF_INET6 ? 16 : 4), let bytes = nla_data(a) else { return nil }
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, bytes, &out, socklen_t(out.count)) != nil else { return nil }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
