import Foundation
import Glibc
import Namespaces
@testable import Swiftnet
import XCTest

/// The pingall probe shares its pairs between threads (lanes); these check that the
/// matrix it gives does not depend on how many there are, and that a lane's socket filter
/// passes only its own echo replies.
final class ProbeLaneTests: XCTestCase {
    /// Three lanes on a network with one host cut off: every pair with that host fails,
    /// every other pair answers, exactly as with one lane.
    func testLanesGiveTheSameMatrixAsOneLane() throws {
        try withNetwork(star(9, name: "lanes")) { net in
            try net.setLink("h3", "s1", up: false)
            var matrices: [[Bool]] = []
            for lanes in [1, 3] {
                var result = PingAllResult(hosts: (1...9).map { "h\($0)" }, addresses: (1...9).map { "10.0.0.\($0)" })
                let probe = ICMPProbe(net: net, timeout: .seconds(1), isCancelled: { false }, lanes: lanes)
                var rows: [String] = []
                try probe.run(&result, onRow: { rows.append($0.source) }, onProgress: nil)
                XCTAssertEqual(rows, (1...9).map { "h\($0)" }, "rows are handed out once each, in order (lanes \(lanes))")
                XCTAssertFalse(result.interrupted)
                XCTAssertEqual(result.sent, 72)
                XCTAssertEqual(result.received, 56, "the 16 pairs with h3 fail, the other 56 answer (lanes \(lanes))")
                var matrix: [Bool] = []
                for s in 1...9 {
                    for d in 1...9 where d != s {
                        let ok = try XCTUnwrap(result.received(from: "h\(s)", to: "h\(d)"))
                        XCTAssertEqual(ok, s != 3 && d != 3, "h\(s) -> h\(d) with \(lanes) lanes")
                        matrix.append(ok)
                    }
                }
                matrices.append(matrix)
            }
            XCTAssertEqual(matrices[0], matrices[1])
        }
    }

    /// Two raw ICMP sockets in one namespace see every echo reply; with the filter each
    /// sees only the replies to its identifier.
    func testTheIdentFilterPassesOnlyItsOwnReplies() throws {
        try withNetwork(star(2, name: "identf")) { net in
            let ns = try net.namespaceFD(of: "h1")
            func rawSocket(_ ident: UInt16?) throws -> Int32 {
                let fd = try withNetworkNamespace(ns) {
                    socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), Int32(IPPROTO_ICMP))
                }
                XCTAssertGreaterThanOrEqual(fd, 0)
                if let ident { ICMPProbe.attachIdentFilter(fd, ident: ident) }
                return fd
            }
            let filtered = try rawSocket(0x1111), open = try rawSocket(nil)
            defer { close(filtered); close(open) }
            func ping(_ ident: UInt16) {
                let packet = ICMPProbe.echoRequest(ident: ident, sequence: 1)
                var addr = sockaddr_in()
                addr.sin_family = sa_family_t(AF_INET)
                addr.sin_addr.s_addr = IPv4Address("10.0.0.2")!.value.bigEndian
                let sent = withUnsafePointer(to: &addr) { a in
                    a.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(open, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                XCTAssertEqual(sent, packet.count)
            }
            /// The identifiers of the echo replies `fd` holds within `wait`.
            func replies(_ fd: Int32, wait: Double) -> [UInt16] {
                var found: [UInt16] = []
                var buf = [UInt8](repeating: 0, count: 2048)
                let deadline = Date().addingTimeInterval(wait)
                while Date() < deadline {
                    let got = recv(fd, &buf, buf.count, 0)
                    if got > 0 {
                        if let (id, _, _) = ICMPProbe.parseEchoReply(buf, count: got) { found.append(id) }
                    } else {
                        usleep(10_000)
                    }
                }
                return found
            }
            ping(0x2222)  // ARP first, then the reply
            ping(0x1111)
            XCTAssertEqual(replies(open, wait: 2).sorted(), [0x1111, 0x2222], "the unfiltered socket sees both replies")
            XCTAssertEqual(replies(filtered, wait: 0.2), [0x1111], "the filtered socket sees only its own")
        }
    }
}
