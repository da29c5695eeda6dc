import XCTest
@testable import Swiftnet

/// The compact pingall result: bits per pair, rows as Mininet prints them, the same
/// `results` and table lines as before for small networks.
final class PingAllResultTests: XCTestCase {
    func threeHosts() -> PingAllResult {
        var r = PingAllResult(hosts: ["h1", "h2", "h3"], addresses: ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        r.record(0, 1, received: true, rttMilliseconds: 0.5)
        r.record(0, 2, received: false, rttMilliseconds: nil)
        r.record(1, 0, received: true, rttMilliseconds: 0.25)
        r.record(1, 2, received: true, rttMilliseconds: nil)
        r.record(2, 0, received: false, rttMilliseconds: nil)
        r.record(2, 1, received: true, rttMilliseconds: 1.5)
        return r
    }

    func testRowsCountOnceComplete() {
        var r = threeHosts()
        XCTAssertEqual(r.sent, 0)
        XCTAssertNil(r.received(from: "h1", to: "h2"), "not complete yet")
        r.complete(0)
        XCTAssertEqual(r.sent, 2)
        XCTAssertEqual(r.received, 1)
        XCTAssertEqual(r.received(from: "h1", to: "h2"), true)
        XCTAssertEqual(r.received(from: "h1", to: "h3"), false)
        r.complete(0)
        XCTAssertEqual(r.sent, 2, "completing twice counts once")
        r.complete(1)
        r.complete(2)
        XCTAssertEqual(r.completedSources, 3)
        XCTAssertEqual(r.total, 6)
        XCTAssertEqual(r.sent, 6)
        XCTAssertEqual(r.received, 4)
        XCTAssertEqual(r.droppedPercent, 33)
        XCTAssertFalse(r.allReceived)
        XCTAssertEqual(r.summaryLine, "*** Results: 33% dropped (4/6 received)")
    }

    func testMininetLinesAndResults() {
        var r = threeHosts()
        for s in 0..<3 { r.complete(s) }
        XCTAssertEqual(r.mininetLines(hosts: ["h1", "h2", "h3"]),
                       ["h1 -> h2 X ", "h2 -> h1 h3 ", "h3 -> X h2 ", "*** Results: 33% dropped (4/6 received)"])
        XCTAssertEqual(r.row(0).mininetLines(full: true),
                       ["h1 -> h2 X ", "   h1 -> h2: 1/1, rtt 0.500 ms", "   h1 -> h3: 0/1"])
        XCTAssertEqual(r.row(1).mininetLines(full: true)[2], "   h2 -> h3: 1/1", "a reply without a time")
        let all = r.results
        XCTAssertEqual(all.count, 6)
        XCTAssertEqual(all.map { "\($0.source)>\($0.destination)" }, ["h1>h2", "h1>h3", "h2>h1", "h2>h3", "h3>h1", "h3>h2"])
        XCTAssertEqual(all[0], PingResult(source: "h1", destination: "h2", address: "10.0.0.2", received: true, rttMilliseconds: 0.5))
        XCTAssertEqual(all[1].rttMilliseconds, nil)
        XCTAssertEqual(all[5].rttMilliseconds, 1.5)
    }

    func testInterruptedResultHoldsCompletedSourcesOnly() {
        var r = threeHosts()
        r.complete(0)
        r.interrupted = true
        XCTAssertFalse(r.allReceived)
        XCTAssertEqual(r.results.count, 2)
        XCTAssertEqual(r.mininetLines(hosts: ["h1", "h2", "h3"]), ["h1 -> h2 X ", "*** Results: 50% dropped (1/2 received)"])
    }

    func testLargeNetworkKeepsBitsNotTimes() {
        let n = 2_500
        let names = (1...n).map { "h\($0)" }
        var r = PingAllResult(hosts: names, addresses: names)
        XCTAssertEqual(r.total, 6_247_500)
        r.record(n - 1, n - 2, received: true, rttMilliseconds: 0.3)
        r.record(n - 1, 0, received: false, rttMilliseconds: nil)
        for d in 1..<(n - 2) { r.record(n - 1, d, received: true, rttMilliseconds: 0.3) }
        r.complete(n - 1)
        let row = r.row(n - 1)
        XCTAssertEqual(row.destinations.count, n - 1)
        XCTAssertEqual(row.received.filter { $0 }.count, n - 2)
        XCTAssertEqual(row.rttMilliseconds.compactMap { $0 }.count, 0, "beyond roundTripTimeLimit pairs no time is kept")
        XCTAssertTrue(row.mininetLine.hasPrefix("h2500 -> X h2 h3 "))
        XCTAssertEqual(r.sent, n - 1)
    }

    func testEchoRequestRoundTrip() {
        let p = ICMPProbe.echoRequest(ident: 0x1234, sequence: 0xBEEF)
        XCTAssertEqual(p.count, 64)
        XCTAssertEqual(ICMPProbe.internetChecksum(p), 0, "a checksummed packet sums to zero")
        // The reply as the kernel sends it: an IPv4 header, then type 0 with the same id and sequence.
        var reply: [UInt8] = [0x45, 0, 0, 84, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1]
        var icmp = p
        icmp[0] = 0
        reply += icmp
        let parsed = ICMPProbe.parseEchoReply(reply, count: reply.count)
        XCTAssertEqual(parsed?.0, 0x1234)
        XCTAssertEqual(parsed?.1, 0xBEEF)
        XCTAssertEqual(parsed?.2, 0x0A00_0002)
        XCTAssertNil(ICMPProbe.parseEchoReply(reply, count: 27), "too short")
        var request = reply
        request[20] = 8
        XCTAssertNil(ICMPProbe.parseEchoReply(request, count: request.count), "an echo request is not a reply")
    }
}
