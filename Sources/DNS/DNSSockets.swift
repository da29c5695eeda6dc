import Glibc

extension EmbeddedDNSServer {
    /// Creates a UDP and a TCP socket bound to the same address and port, ready for
    /// `serve(udpSocket:tcpSocket:)`.
    ///
    /// Both sockets have SO_REUSEADDR and close-on-exec set; the TCP socket is bound but not
    /// listening (`serve` makes it listen). They are created in the network namespace of
    /// the calling thread, so call this from a thread that has entered the namespace to
    /// serve. With port 0 the system picks a free TCP port and the UDP socket is bound to the
    /// same number (retrying a few times if that UDP port is taken); `localPort(of:)` reads it.
    ///
    /// - Parameters:
    ///   - address: The IPv4 or IPv6 address to bind, such as "10.0.0.254", "::1" or "0.0.0.0".
    ///   - port: The port, usually 53; 0 for any free port.
    /// - Returns: The two descriptors, which the caller owns until `serve` takes them.
    /// - Throws: `DNSServerError` if `address` is not an address or a socket cannot be
    ///   created or bound.
    public static func makeSockets(address: String, port: UInt16) throws -> (udp: CInt, tcp: CInt) {
        guard let bytes = DNSAddress.bytes(address) else {
            throw DNSServerError("not an IPv4 or IPv6 address: \(address)")
        }
        let attempts = port == 0 ? 16 : 1
        var lastError = DNSServerError("no socket was bound")
        for _ in 0..<attempts {
            let tcp = try makeSocket(bytes, port: port, type: Int32(SOCK_STREAM.rawValue), address: address)
            let chosen: UInt16
            do {
                chosen = try localPort(of: tcp)
            } catch {
                close(tcp)
                throw error
            }
            do {
                let udp = try makeSocket(bytes, port: chosen, type: Int32(SOCK_DGRAM.rawValue), address: address)
                return (udp, tcp)
            } catch let error as DNSServerError {
                close(tcp)
                guard port == 0, error.code == EADDRINUSE else { throw error }
                lastError = error
            }
        }
        throw lastError
    }

    /// The local port a socket is bound to.
    ///
    /// - Parameter socket: An IPv4 or IPv6 socket.
    /// - Returns: The port in host byte order; 0 for a socket not bound yet.
    /// - Throws: `DNSServerError` if `getsockname` fails or the socket is not IPv4 or IPv6.
    public static func localPort(of socket: CInt) throws -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard result == 0 else { throw DNSServerError.system("getsockname on descriptor \(socket)") }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { UInt16(bigEndian: $0.load(as: sockaddr_in.self).sin_port) }
        case AF_INET6:
            return withUnsafeBytes(of: &storage) { UInt16(bigEndian: $0.load(as: sockaddr_in6.self).sin6_port) }
        default:
            throw DNSServerError("descriptor \(socket) is not an IPv4 or IPv6 socket")
        }
    }

    /// Creates one socket with SO_REUSEADDR and close-on-exec and binds it.
    ///
    /// - Parameters:
    ///   - bytes: The address, 4 or 16 bytes.
    ///   - port: The port in host byte order.
    ///   - type: `SOCK_DGRAM` or `SOCK_STREAM`.
    ///   - address: The address in text form, for error messages.
    /// - Returns: The bound descriptor.
    /// - Throws: `DNSServerError` if a system call fails; nothing is left open then.
    private static func makeSocket(_ bytes: [UInt8], port: UInt16, type: Int32, address: String) throws -> CInt {
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let kind = type == Int32(SOCK_DGRAM.rawValue) ? "udp" : "tcp"
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DNSServerError.system("socket for \(address)/\(kind)") }
        var one: Int32 = 1
        guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            let error = DNSServerError.system("SO_REUSEADDR on \(address)/\(kind)")
            close(fd)
            throw error
        }
        let result: Int32
        if family == AF_INET {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: bytes) }
            result = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        } else {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: bytes) }
            result = withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        guard result == 0 else {
            let error = DNSServerError.system("bind \(address) port \(port)/\(kind)")
            close(fd)
            throw error
        }
        return fd
    }
}
