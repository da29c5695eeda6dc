import CNetlink
import Glibc
import Namespaces

/// One rtnetlink socket bound to one network namespace for its whole life.
///
/// A netlink socket talks to the namespace its creating thread was in, so a socket per
/// namespace replaces entering namespaces for each request (the `NewHandleAt` idea).
/// Not thread-safe: use one socket from one thread at a time.
public final class RouteSocket: @unchecked Sendable {
    let sock: OpaquePointer

    /// Opens a socket in the namespace behind `namespaceFD`, or in the caller's namespace.
    /// - Throws: `NamespaceError` if the namespace cannot be entered, `NetlinkError` if
    ///   the socket cannot connect.
    public init(namespaceFD: Int32? = nil) throws {
        guard let s = nl_socket_alloc() else {
            throw NetlinkError(operation: "allocate", object: "netlink socket", code: -NLE_NOMEM)
        }
        do {
            if let fd = namespaceFD {
                try withNetworkNamespace(fd) {
                    try check(nl_connect(s, NETLINK_ROUTE), "connect", "rtnetlink socket")
                }
            } else {
                try check(nl_connect(s, NETLINK_ROUTE), "connect", "rtnetlink socket")
            }
        } catch {
            nl_socket_free(s)
            throw error
        }
        sock = s
    }

    deinit { nl_socket_free(sock) }
}

/// Frees a libnl object when the scope ends.
struct Owned {
    let ptr: OpaquePointer
    init(_ ptr: OpaquePointer?) throws {
        guard let ptr else { throw NetlinkError(operation: "allocate", object: "libnl object", code: -NLE_NOMEM) }
        self.ptr = ptr
    }
}

/// Parses an address ("10.0.0.1/8", "fd00::1/64", "default", "00:00:00:00:00:01").
func parseAddress(_ text: String, family: Int32) throws -> OpaquePointer {
    var addr: OpaquePointer?
    try check(nl_addr_parse(text, family, &addr), "parse address", "'\(text)'")
    guard let addr else { throw NetlinkError(operation: "parse address", object: "'\(text)'", code: -NLE_INVAL) }
    return addr
}

func addressFamily(of text: String) -> Int32 {
    text.contains(":") ? AF_INET6 : AF_INET
}
