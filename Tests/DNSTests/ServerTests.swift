import Foundation
import Glibc
import NIOPosix
import XCTest
@testable import DNS

final class ServerTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!
    var server: EmbeddedDNSServer!
    var port: UInt16 = 0

    static func zone() -> DNSZone {
        var zone = DNSZone()
        zone.addAddress("h1.lab.test", "10.0.0.1")
        zone.addAddress("h1.lab.test", "fc00::1")
        zone.addAddress("h2.lab.test", "10.0.0.2")
        zone.addAlias("www.lab.test", target: "h1.lab.test")
        for i in 1...40 { zone.addAddress("big.lab.test", "10.1.0.\(i)") }
        return zone
    }

    override func setUpWithError() throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        server = EmbeddedDNSServer(zone: Self.zone(), group: group, tcpIdleTimeout: .milliseconds(500))
        let sockets = try EmbeddedDNSServer.makeSockets(address: "127.0.0.1", port: 0)
        port = try EmbeddedDNSServer.localPort(of: sockets.udp)
        XCTAssertNotEqual(port, 0)
        XCTAssertEqual(try EmbeddedDNSServer.localPort(of: sockets.tcp), port)
        try server.serve(udpSocket: sockets.udp, tcpSocket: sockets.tcp)
    }

    override func tearDownWithError() throws {
        server?.shutdown()
        try group?.syncShutdownGracefully()
        server = nil
        group = nil
    }

    func udpAsk(_ name: String, _ type: DNSRecordType, id: UInt16 = 0x1111, port: UInt16? = nil) throws -> DNSMessage {
        let query = try DNSMessage.query(id: id, name: name, type: type).encode()
        let reply = try XCTUnwrap(try TestClient.udpExchange(query, port: port ?? self.port), "no UDP reply")
        return try DNSMessage(bytes: reply)
    }

    func testUDPQueries() throws {
        let a = try udpAsk("h1.lab.test", .a, id: 1)
        XCTAssertEqual(a.id, 1)
        XCTAssertTrue(a.qr && a.aa)
        XCTAssertEqual(a.answers.compactMap(\.data.address), ["10.0.0.1"])
        let aaaa = try udpAsk("H1.LAB.TEST", .aaaa, id: 2)
        XCTAssertEqual(aaaa.answers.compactMap(\.data.address), ["fc00::1"])
        let ptr = try udpAsk("2.0.0.10.in-addr.arpa", .ptr, id: 3)
        XCTAssertEqual(ptr.answers.map(\.data), [.ptr("h2.lab.test")])
        let alias = try udpAsk("www.lab.test", .a, id: 4)
        XCTAssertEqual(alias.answers.map(\.type), [.cname, .a])
        let nx = try udpAsk("nope.lab.test", .a, id: 5)
        XCTAssertEqual(nx.rcode, .nxDomain)
        XCTAssertEqual(nx.authority.map(\.type), [.soa])
        XCTAssertEqual(server.queriesAnswered, 5)
    }

    func testMalformedDatagrams() throws {
        // A header announcing one question that is not there: FORMERR with the same id.
        let headerOnly: [UInt8] = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        let reply = try XCTUnwrap(try TestClient.udpExchange(headerOnly, port: port))
        let response = try DNSMessage(bytes: reply)
        XCTAssertEqual(response.id, 0xABCD)
        XCTAssertEqual(response.rcode, .formErr)
        XCTAssertTrue(response.qr && response.rd)
        // Too short for a header: dropped.
        XCTAssertNil(try TestClient.udpExchange([1, 2, 3, 4, 5], port: port, timeout: 0.3))
        // A response sent to the server: not answered.
        var notAQuery = DNSMessage.query(id: 9, name: "h1.lab.test", type: .a)
        notAQuery.qr = true
        XCTAssertNil(try TestClient.udpExchange(try notAQuery.encode(), port: port, timeout: 0.3))
        // The server keeps serving.
        XCTAssertEqual(try udpAsk("h2.lab.test", .a).answers.compactMap(\.data.address), ["10.0.0.2"])
        XCTAssertEqual(server.queriesAnswered, 2)
    }

    func testTCPTwoQueriesOnOneConnection() throws {
        let fd = try TestClient.tcpConnect(port: port)
        defer { close(fd) }
        // Both queries in one write: the server must split them by their length prefixes.
        let first = try DNSMessage.query(id: 21, name: "h1.lab.test", type: .a).encode()
        let second = try DNSMessage.query(id: 22, name: "h2.lab.test", type: .a).encode()
        try TestClient.sendAll(fd, TestClient.frame(first) + TestClient.frame(second))
        let r1 = try DNSMessage(bytes: TestClient.readFrame(fd))
        let r2 = try DNSMessage(bytes: TestClient.readFrame(fd))
        XCTAssertEqual(r1.id, 21)
        XCTAssertEqual(r1.answers.compactMap(\.data.address), ["10.0.0.1"])
        XCTAssertEqual(r2.id, 22)
        XCTAssertEqual(r2.answers.compactMap(\.data.address), ["10.0.0.2"])
        // A third query sent in two pieces.
        let third = TestClient.frame(try DNSMessage.query(id: 23, name: "www.lab.test", type: .a).encode())
        try TestClient.sendAll(fd, Array(third[..<5]))
        usleep(50_000)
        try TestClient.sendAll(fd, Array(third[5...]))
        XCTAssertEqual(try DNSMessage(bytes: TestClient.readFrame(fd)).answers.count, 2)
        XCTAssertEqual(server.queriesAnswered, 3)
    }

    func testTCPBadFramingClosesTheConnection() throws {
        let fd = try TestClient.tcpConnect(port: port)
        defer { close(fd) }
        try TestClient.sendAll(fd, [0, 3, 1, 2, 3])
        XCTAssertEqual(TestClient.read(fd, count: 1), .endOfStream)
    }

    func testTCPIdleConnectionsAreClosed() throws {
        let fd = try TestClient.tcpConnect(port: port, timeout: 3)
        defer { close(fd) }
        let start = Date()
        XCTAssertEqual(TestClient.read(fd, count: 1), .endOfStream)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThan(elapsed, 0.3)
        XCTAssertLessThan(elapsed, 2.5)
    }

    func testLargeAnswerIsTruncatedOverUDP() throws {
        let truncated = try udpAsk("big.lab.test", .a, id: 31)
        XCTAssertTrue(truncated.tc)
        XCTAssertEqual(truncated.id, 31)
        XCTAssertEqual(truncated.questions, [DNSQuestion(name: "big.lab.test", type: .a)])
        XCTAssertTrue(truncated.answers.isEmpty)

        // Over TCP the whole answer comes.
        let fd = try TestClient.tcpConnect(port: port)
        defer { close(fd) }
        try TestClient.sendAll(fd, TestClient.frame(try DNSMessage.query(id: 32, name: "big.lab.test", type: .a).encode()))
        let full = try DNSMessage(bytes: TestClient.readFrame(fd))
        XCTAssertFalse(full.tc)
        XCTAssertEqual(full.answers.count, 40)

        // With EDNS(0) advertising 4096 bytes, UDP carries it too, and the reply has an OPT record.
        var edns = DNSMessage.query(id: 33, name: "big.lab.test", type: .a)
        edns.additional = [DNSRecord(name: ".", type: .opt, class: DNSClass(rawValue: 4096), ttl: 0, data: .raw([]))]
        let reply = try XCTUnwrap(try TestClient.udpExchange(try edns.encode(), port: port))
        XCTAssertGreaterThan(reply.count, 512)
        let large = try DNSMessage(bytes: reply)
        XCTAssertFalse(large.tc)
        XCTAssertEqual(large.answers.count, 40)
        XCTAssertEqual(large.additional.map(\.type), [.opt])
        // Advertising 600 bytes is not enough for 40 records.
        edns.additional[0].class = DNSClass(rawValue: 600)
        let small = try DNSMessage(bytes: XCTUnwrap(try TestClient.udpExchange(try edns.encode(), port: port)))
        XCTAssertTrue(small.tc)
        XCTAssertEqual(small.additional.map(\.type), [.opt])
    }

    func testZoneUpdateAndSeveralSocketPairs() throws {
        XCTAssertEqual(try udpAsk("h3.lab.test", .a).rcode, .nxDomain)
        var zone = Self.zone()
        zone.addAddress("h3.lab.test", "10.0.0.3")
        server.updateZone(zone)
        XCTAssertEqual(try udpAsk("h3.lab.test", .a).answers.compactMap(\.data.address), ["10.0.0.3"])

        // A second pair on another loopback address, served by the same server.
        let second = try EmbeddedDNSServer.makeSockets(address: "127.0.0.2", port: 0)
        let secondPort = try EmbeddedDNSServer.localPort(of: second.udp)
        try server.serve(udpSocket: second.udp, tcpSocket: second.tcp)
        let query = try DNSMessage.query(id: 41, name: "h3.lab.test", type: .a).encode()
        let reply = try XCTUnwrap(try TestClient.udpExchange(query, port: secondPort, address: "127.0.0.2"))
        XCTAssertEqual(try DNSMessage(bytes: reply).answers.compactMap(\.data.address), ["10.0.0.3"])
        let fd = try TestClient.tcpConnect(port: secondPort, address: "127.0.0.2")
        defer { close(fd) }
        try TestClient.sendAll(fd, TestClient.frame(query))
        XCTAssertEqual(try DNSMessage(bytes: TestClient.readFrame(fd)).id, 41)
    }

    func testIPv6Sockets() throws {
        let sockets: (udp: CInt, tcp: CInt)
        do {
            sockets = try EmbeddedDNSServer.makeSockets(address: "::1", port: 0)
        } catch let error as DNSServerError where (error.code == EADDRNOTAVAIL || error.code == EAFNOSUPPORT)
                    && access("/proc/net/if_inet6", F_OK) != 0 {
            // Only a kernel built or booted without IPv6 may skip this.
            throw XCTSkip("kernel lacks IPv6: \(error)")
        }
        let v6Port = try EmbeddedDNSServer.localPort(of: sockets.udp)
        try server.serve(udpSocket: sockets.udp, tcpSocket: sockets.tcp)
        let query = try DNSMessage.query(id: 51, name: "h1.lab.test", type: .aaaa).encode()
        let reply = try XCTUnwrap(try TestClient.udpExchange(query, port: v6Port, address: "::1"))
        XCTAssertEqual(try DNSMessage(bytes: reply).answers.compactMap(\.data.address), ["fc00::1"])
    }

    func testShutdownClosesEverythingAndIsIdempotent() throws {
        let fd = try TestClient.tcpConnect(port: port)
        defer { close(fd) }
        // Make sure the connection is accepted and tracked before shutting down.
        try TestClient.sendAll(fd, TestClient.frame(try DNSMessage.query(id: 61, name: "h1.lab.test", type: .a).encode()))
        XCTAssertEqual(try DNSMessage(bytes: TestClient.readFrame(fd)).id, 61)
        server.shutdown()
        server.shutdown()
        XCTAssertEqual(TestClient.read(fd, count: 1), .endOfStream)
        let query = try DNSMessage.query(id: 62, name: "h1.lab.test", type: .a).encode()
        XCTAssertNil(try TestClient.udpExchange(query, port: port, timeout: 0.3))
        XCTAssertThrowsError(try TestClient.tcpConnect(port: port))
        let sockets = try EmbeddedDNSServer.makeSockets(address: "127.0.0.1", port: 0)
        XCTAssertThrowsError(try server.serve(udpSocket: sockets.udp, tcpSocket: sockets.tcp))
        // Refused before the descriptors were taken: they are still the caller's to close.
        XCTAssertEqual(close(sockets.udp), 0)
        XCTAssertEqual(close(sockets.tcp), 0)
    }

    func testServeRejectsUnsuitableDescriptors() throws {
        let unbound = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(unbound); close(tcp) }
        XCTAssertThrowsError(try server.serve(udpSocket: unbound, tcpSocket: tcp))
        // The wrong kinds of socket, bound.
        let sockets = try EmbeddedDNSServer.makeSockets(address: "127.0.0.1", port: 0)
        XCTAssertThrowsError(try server.serve(udpSocket: sockets.tcp, tcpSocket: sockets.udp))
        XCTAssertEqual(close(sockets.udp), 0)
        XCTAssertEqual(close(sockets.tcp), 0)
        XCTAssertThrowsError(try EmbeddedDNSServer.makeSockets(address: "not-an-address", port: 0))
    }

    func testMakeSocketsOnAFixedPortSharesIt() throws {
        // Find a free port, then bind both kinds on it explicitly.
        let probe = try EmbeddedDNSServer.makeSockets(address: "127.0.0.1", port: 0)
        let fixed = try EmbeddedDNSServer.localPort(of: probe.udp)
        close(probe.udp)
        close(probe.tcp)
        let sockets = try EmbeddedDNSServer.makeSockets(address: "127.0.0.1", port: fixed)
        XCTAssertEqual(try EmbeddedDNSServer.localPort(of: sockets.udp), fixed)
        XCTAssertEqual(try EmbeddedDNSServer.localPort(of: sockets.tcp), fixed)
        XCTAssertTrue(fcntl(sockets.udp, F_GETFD) & FD_CLOEXEC != 0)
        XCTAssertTrue(fcntl(sockets.tcp, F_GETFD) & FD_CLOEXEC != 0)
        // A TCP socket that is already listening is accepted too.
        XCTAssertEqual(listen(sockets.tcp, 16), 0)
        try server.serve(udpSocket: sockets.udp, tcpSocket: sockets.tcp)
        let fd = try TestClient.tcpConnect(port: fixed)
        defer { close(fd) }
        try TestClient.sendAll(fd, TestClient.frame(try DNSMessage.query(id: 71, name: "h2.lab.test", type: .a).encode()))
        XCTAssertEqual(try DNSMessage(bytes: TestClient.readFrame(fd)).answers.compactMap(\.data.address), ["10.0.0.2"])
    }

    func testDig() throws {
        let dig = "/usr/bin/dig"
        // make test installs bind9-dnsutils: a missing dig is a failure, not a skip.
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: dig), "dig is not installed (make deps installs bind9-dnsutils)")
        guard FileManager.default.isExecutableFile(atPath: dig) else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dig)
        process.arguments = ["@127.0.0.1", "-p", String(port), "h1.lab.test", "A", "+short", "+time=2", "+tries=1"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "10.0.0.1")
    }
}
