import Foundation
import Glibc

/// A plain-socket DNS client for the server tests, independent of NIO and of the server's
/// own socket code.
enum TestClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A socket address for an IPv4 or IPv6 address and port, as raw bytes with its length.
    static func socketAddress(_ address: String, port: UInt16) throws -> (storage: sockaddr_storage, length: socklen_t, family: Int32) {
        var storage = sockaddr_storage()
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, address, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: v4) { dst.copyMemory(from: $0) } }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size), AF_INET)
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, address, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: v6) { dst.copyMemory(from: $0) } }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size), AF_INET6)
        }
        throw Failure(description: "bad address \(address)")
    }

    static func setTimeout(_ fd: CInt, seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends one datagram and waits for one reply.
    ///
    /// - Returns: The reply, or nil if none came within `timeout` seconds.
    static func udpExchange(_ query: [UInt8], port: UInt16, address: String = "127.0.0.1",
                            timeout: Double = 2) throws -> [UInt8]? {
        var (storage, length, family) = try socketAddress(address, port: port)
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        setTimeout(fd, seconds: timeout)
        let sent = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, query, query.count, 0, $0, length) }
        }
        guard sent == query.count else { throw Failure(description: "sendto: \(errno)") }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let received = recv(fd, &buffer, buffer.count, 0)
        if received < 0 { return nil }
        return Array(buffer[..<received])
    }

    /// Opens a TCP connection.
    static func tcpConnect(port: UInt16, address: String = "127.0.0.1", timeout: Double = 2) throws -> CInt {
        var (storage, length, family) = try socketAddress(address, port: port)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        setTimeout(fd, seconds: timeout)
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard result == 0 else {
            close(fd)
            throw Failure(description: "connect: \(errno)")
        }
        return fd
    }

    static func sendAll(_ fd: CInt, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: \(errno)") }
            offset += n
        }
    }

    enum ReadResult: Equatable {
        case bytes([UInt8])
        case endOfStream
        case timedOut
    }

    /// Reads exactly `count` bytes, or reports the end of the stream or a time-out.
    static func read(_ fd: CInt, count: Int) -> ReadResult {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        while out.count < count {
            let n = recv(fd, &buffer, count - out.count, 0)
            if n == 0 { return .endOfStream }
            if n < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .endOfStream }
            out += buffer[..<n]
        }
        return .bytes(out)
    }

    /// Reads one length-prefixed DNS message.
    static func readFrame(_ fd: CInt) throws -> [UInt8] {
        guard case .bytes(let prefix) = read(fd, count: 2) else { throw Failure(description: "no length prefix") }
        let length = Int(prefix[0]) << 8 | Int(prefix[1])
        guard case .bytes(let body) = read(fd, count: length) else { throw Failure(description: "short frame") }
        return body
    }

    /// Prefixes a message with its 2-byte length.
    static func frame(_ message: [UInt8]) -> [UInt8] {
        [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
    }
}
