import Glibc

/// An IPv4 or IPv6 address and port as connect(2) takes it.
struct SocketAddress {
    private var storage = sockaddr_storage()
    let length: socklen_t
    /// AF_INET or AF_INET6.
    let family: Int32

    /// nil when `address` is not an IPv4 or IPv6 address.
    init?(_ address: String, port: Int) {
        if address.contains(":") {
            family = AF_INET6
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            let ok = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                    a.pointee.sin6_family = sa_family_t(AF_INET6)
                    a.pointee.sin6_port = UInt16(port).bigEndian
                    return inet_pton(AF_INET6, address, &a.pointee.sin6_addr) == 1
                }
            }
            if !ok { return nil }
        } else {
            family = AF_INET
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                    a.pointee.sin_family = sa_family_t(AF_INET)
                    a.pointee.sin_port = UInt16(port).bigEndian
                    return inet_pton(AF_INET, address, &a.pointee.sin_addr) == 1
                }
            }
            if !ok { return nil }
        }
    }

    /// connect(2) `fd` to this address; the result and errno as connect leaves them.
    func connect(_ fd: Int32) -> Int32 {
        var s = storage
        return withUnsafePointer(to: &s) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
    }
}
