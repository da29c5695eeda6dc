import Foundation
import Glibc
import NIOCore
import XCTest
@testable import Swiftnet

/// The TCP listener for Floodlight's paths is open to every user of the machine: bytes
/// that are not HTTP get 400 and the connection closes, idle and half-sent requests are
/// closed after the idle time, and none of it keeps the next client from an answer.
final class FloodlightServerTests: XCTestCase {
    /// One TCP connection to 127.0.0.1:`port`: sends `bytes`, then reads until the server
    /// closes or `wait` seconds pass. `closed` tells which, `seconds` how long it took.
    func exchange(_ port: Int, _ bytes: [UInt8], wait: Double = 3) throws -> (text: String, closed: Bool, seconds: Double) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw NSError(domain: "connect", code: Int(errno)) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if !bytes.isEmpty { _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        let start = Date()
        var got: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date().timeIntervalSince(start) < wait {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return (String(decoding: got, as: UTF8.self), true, Date().timeIntervalSince(start)) }
            if n > 0 { got += buffer[0..<n] } else if errno != EAGAIN && errno != EWOULDBLOCK { break }
        }
        return (String(decoding: got, as: UTF8.self), false, Date().timeIntervalSince(start))
    }

    func testJunkIsRefusedAndIdleConnectionsClose() throws {
        // Junk is answered and closed at once (the idle time here is far longer than the
        // wait), whatever the bytes: ones that cannot start a request are refused at once.
        let patient = try FloodlightServer(handler: FloodlightHTTP(controller: { nil }), port: 0, idleTimeout: .seconds(60))
        defer { patient.stop() }
        let junk = try exchange(patient.port, Array("GARBAGE\r\n\r\n".utf8))
        XCTAssertTrue(junk.text.hasPrefix("HTTP/1.1 400"), junk.text)
        XCTAssertTrue(junk.closed, "a connection that sent junk is closed, not held: \(junk)")
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            // A first byte no HTTP method starts with, then anything.
            let bytes = [UInt8(0x01)] + (0..<Int.random(in: 1...512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let r = try exchange(patient.port, bytes)
            XCTAssertTrue(r.closed, "random bytes: the connection ends (\(r))")
        }

        let server = try FloodlightServer(handler: FloodlightHTTP(controller: { nil }), port: 0, idleTimeout: .milliseconds(300))
        defer { server.stop() }
        let port = server.port
        XCTAssertGreaterThan(port, 0)

        // A request answered on a kept-alive connection, which then goes quiet: closed
        // after the idle time. A request never finished, and a connection that sends
        // nothing, likewise.
        let kept = try exchange(port, Array("GET /wm/core/health/json HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        XCTAssertTrue(kept.text.hasPrefix("HTTP/1.1 404"), "no controller here: \(kept.text)")
        XCTAssertTrue(kept.closed, "\(kept)")
        XCTAssertGreaterThan(kept.seconds, 0.2, "kept alive until idle")
        let half = try exchange(port, Array("GET /wm/core/health/json HTTP/1.1\r\nHost: x\r\n".utf8))
        XCTAssertTrue(half.closed && half.text.isEmpty, "\(half)")
        let silent = try exchange(port, [])
        XCTAssertTrue(silent.closed, "\(silent)")

        // Still serving.
        let after = try exchange(port, Array("GET /ui/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        XCTAssertTrue(after.text.hasPrefix("HTTP/1.1 200"), String(after.text.prefix(100)))
        XCTAssertTrue(after.closed)
    }
}
