import XCTest
@testable import DNS

final class ZoneTests: XCTestCase {
    static func labZone() -> DNSZone {
        var zone = DNSZone()
        XCTAssertTrue(zone.addAddress("h1.lab.test", "10.0.0.1"))
        XCTAssertTrue(zone.addAddress("h1.lab.test.", "fc00::1"))
        XCTAssertTrue(zone.addAddress("h2.lab.test", "10.0.0.2"))
        XCTAssertTrue(zone.addAlias("www.lab.test", target: "h1.lab.test"))
        XCTAssertTrue(zone.addAlias("web.lab.test", target: "www.lab.test"))
        XCTAssertTrue(zone.addAlias("gone.lab.test", target: "nowhere.lab.test"))
        return zone
    }

    func ask(_ name: String, _ type: DNSRecordType, zone: DNSZone = labZone(), id: UInt16 = 0x4242) -> DNSMessage {
        let query = DNSMessage.query(id: id, name: name, type: type)
        let response = zone.answer(query)
        // Whatever the zone answers must survive the wire.
        XCTAssertEqual(try DNSMessage(bytes: response.encode()), response)
        return response
    }

    func assertNegative(_ response: DNSMessage, _ rcode: DNSResponseCode, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.rcode, rcode, file: file, line: line)
        XCTAssertTrue(response.aa, file: file, line: line)
        XCTAssertEqual(response.authority.map(\.type), [.soa], file: file, line: line)
        XCTAssertEqual(response.authority.first?.name, "swiftnet", file: file, line: line)
    }

    func testAddressQuery() {
        let response = ask("h1.lab.test", .a)
        XCTAssertEqual(response.id, 0x4242)
        XCTAssertTrue(response.qr && response.aa && response.rd)
        XCTAssertFalse(response.ra || response.tc)
        XCTAssertEqual(response.rcode, .noError)
        XCTAssertEqual(response.questions, [DNSQuestion(name: "h1.lab.test", type: .a)])
        XCTAssertEqual(response.answers, [DNSRecord(name: "h1.lab.test", ttl: 60, data: .a([10, 0, 0, 1]))])
        XCTAssertTrue(response.authority.isEmpty)
    }

    func testRecursionDesiredIsCopied() {
        let response = DNSZone().answer(.query(id: 9, name: "x", type: .a, recursionDesired: false))
        XCTAssertFalse(response.rd)
    }

    func testIPv6AddressQuery() {
        let response = ask("h1.lab.test", .aaaa)
        XCTAssertEqual(response.rcode, .noError)
        XCTAssertEqual(response.answers.map(\.type), [.aaaa])
        XCTAssertEqual(response.answers.first?.data.address, "fc00::1")
    }

    func testReversePointers() {
        let v4 = ask("1.0.0.10.in-addr.arpa", .ptr)
        XCTAssertEqual(v4.rcode, .noError)
        XCTAssertEqual(v4.answers, [DNSRecord(name: "1.0.0.10.in-addr.arpa", ttl: 60, data: .ptr("h1.lab.test"))])
        let nibbles = "1." + String(repeating: "0.", count: 29) + "c.f.ip6.arpa"
        let v6 = ask(nibbles, .ptr)
        XCTAssertEqual(v6.rcode, .noError)
        XCTAssertEqual(v6.answers.map(\.data), [.ptr("h1.lab.test")])
        assertNegative(ask("9.0.0.10.in-addr.arpa", .ptr), .nxDomain)
        // The parent of a reverse name is an empty non-terminal.
        assertNegative(ask("0.0.10.in-addr.arpa", .ptr), .noError)
    }

    func testFirstNameAddedForAnAddressKeepsThePointer() {
        var zone = Self.labZone()
        XCTAssertTrue(zone.addAddress("other.lab.test", "10.0.0.1"))
        XCTAssertEqual(ask("1.0.0.10.in-addr.arpa", .ptr, zone: zone).answers.map(\.data), [.ptr("h1.lab.test")])
        XCTAssertEqual(ask("other.lab.test", .a, zone: zone).answers.map(\.data), [.a([10, 0, 0, 1])])
    }

    func testAliasIsFollowedInsideTheZone() {
        let response = ask("www.lab.test", .a)
        XCTAssertEqual(response.rcode, .noError)
        XCTAssertEqual(response.answers, [
            DNSRecord(name: "www.lab.test", ttl: 60, data: .cname("h1.lab.test")),
            DNSRecord(name: "h1.lab.test", ttl: 60, data: .a([10, 0, 0, 1])),
        ])
        let chain = ask("web.lab.test", .aaaa)
        XCTAssertEqual(chain.answers.map(\.type), [.cname, .cname, .aaaa])
        XCTAssertEqual(chain.answers.map(\.name), ["web.lab.test", "www.lab.test", "h1.lab.test"])
        // Asking for the CNAME itself does not follow it.
        XCTAssertEqual(ask("www.lab.test", .cname).answers.map(\.data), [.cname("h1.lab.test")])
        // A chain ending at a name that does not exist: the CNAME, then NXDOMAIN.
        let dangling = ask("gone.lab.test", .a)
        assertNegative(dangling, .nxDomain)
        XCTAssertEqual(dangling.answers.map(\.data), [.cname("nowhere.lab.test")])
        // A chain ending at a name without the type: NODATA after the CNAME.
        var zone = Self.labZone()
        zone.addAlias("v4only.lab.test", target: "h2.lab.test")
        let nodata = ask("v4only.lab.test", .aaaa, zone: zone)
        assertNegative(nodata, .noError)
        XCTAssertEqual(nodata.answers.map(\.type), [.cname])
    }

    func testAliasLoopsEnd() {
        var zone = DNSZone()
        zone.addAlias("a.test", target: "b.test")
        zone.addAlias("b.test", target: "a.test")
        let response = ask("a.test", .a, zone: zone)
        XCTAssertEqual(response.answers.map(\.data), [.cname("b.test"), .cname("a.test")])
    }

    func testNoDataVersusNonExistentName() {
        let nodata = ask("h2.lab.test", .aaaa)
        assertNegative(nodata, .noError)
        XCTAssertTrue(nodata.answers.isEmpty)
        let txt = ask("h1.lab.test", .txt)
        assertNegative(txt, .noError)
        let nx = ask("h3.lab.test", .a)
        assertNegative(nx, .nxDomain)
        XCTAssertTrue(nx.answers.isEmpty)
        // Below an existing name is still nothing.
        assertNegative(ask("x.h1.lab.test", .a), .nxDomain)
    }

    func testEmptyNonTerminalsExist() {
        let lab = ask("lab.test", .a)
        assertNegative(lab, .noError)
        XCTAssertTrue(lab.answers.isEmpty)
        assertNegative(ask("test", .any), .noError)
        assertNegative(ask("ab.test", .a), .nxDomain)
    }

    func testNamesAreCaseInsensitive() {
        let response = ask("H1.Lab.TEST", .a)
        XCTAssertEqual(response.rcode, .noError)
        // The answer repeats the name as the question spelled it.
        XCTAssertEqual(response.answers, [DNSRecord(name: "H1.Lab.TEST", ttl: 60, data: .a([10, 0, 0, 1]))])
        let dotted = Self.labZone().answer(.query(id: 1, name: "h1.LAB.test.", type: .a))
        XCTAssertEqual(dotted.answers.map(\.data), [.a([10, 0, 0, 1])])
        var zone = DNSZone(ttl: 5)
        zone.addAddress("Mixed.Case.", "10.1.2.3")
        XCTAssertEqual(ask("mixed.case", .a, zone: zone).answers.map(\.data), [.a([10, 1, 2, 3])])
        XCTAssertEqual(ask("mixed.case", .a, zone: zone).answers.map(\.ttl), [5])
        XCTAssertEqual(ask("3.2.1.10.IN-ADDR.ARPA", .ptr, zone: zone).answers.map(\.data), [.ptr("Mixed.Case")])
        zone.addAddress("MIXED.case", "10.1.2.4")
        XCTAssertEqual(ask("mixed.case", .a, zone: zone).answers.count, 2)
    }

    func testAnyQueryReturnsEveryRecord() {
        let response = ask("h1.lab.test", .any)
        XCTAssertEqual(response.rcode, .noError)
        XCTAssertEqual(response.answers.map(\.type), [.a, .aaaa])
        XCTAssertEqual(ask("www.lab.test", .any).answers.map(\.type), [.cname])
    }

    func testSOAQueryAtTheApex() {
        let response = ask("Swiftnet", .soa)
        XCTAssertEqual(response.answers.map(\.type), [.soa])
        guard case .soa(let soa)? = response.answers.first?.data else { return XCTFail("no SOA") }
        XCTAssertEqual(soa.mname, "swiftnet")
        XCTAssertEqual(soa.minimum, 60)
        XCTAssertEqual(soa.serial, Self.labZone().serial)
    }

    func testErrors() {
        let zone = Self.labZone()
        var twoQuestions = DNSMessage.query(id: 1, name: "h1.lab.test", type: .a)
        twoQuestions.questions.append(DNSQuestion(name: "h2.lab.test", type: .a))
        let formErr = zone.answer(twoQuestions)
        XCTAssertEqual(formErr.rcode, .formErr)
        XCTAssertTrue(formErr.qr)
        XCTAssertTrue(formErr.answers.isEmpty)
        XCTAssertEqual(zone.answer(DNSMessage(id: 2)).rcode, .formErr)

        var status = DNSMessage.query(id: 3, name: "h1.lab.test", type: .a)
        status.opcode = .status
        XCTAssertEqual(zone.answer(status).rcode, .notImp)
        XCTAssertEqual(zone.answer(status).opcode, .status)
        status.opcode = .update
        XCTAssertEqual(zone.answer(status).rcode, .notImp)
        XCTAssertEqual(ask("h1.lab.test", DNSRecordType(rawValue: 252)).rcode, .notImp)

        var chaos = DNSMessage.query(id: 4, name: "version.bind", type: .txt)
        chaos.questions[0].class = .chaos
        let refused = zone.answer(chaos)
        XCTAssertEqual(refused.rcode, .refused)
        XCTAssertEqual(refused.id, 4)
        XCTAssertEqual(refused.questions, chaos.questions)
        XCTAssertTrue(refused.answers.isEmpty && refused.authority.isEmpty)

        var anyClass = DNSMessage.query(id: 5, name: "h1.lab.test", type: .a)
        anyClass.questions[0].class = .any
        XCTAssertEqual(zone.answer(anyClass).rcode, .noError)
        XCTAssertEqual(zone.answer(anyClass).answers.count, 1)
    }

    func testInvalidAdditionsLeaveTheZoneUnchanged() {
        var zone = Self.labZone()
        let serial = zone.serial
        XCTAssertFalse(zone.addAddress("h9.lab.test", "10.0.0.300"))
        XCTAssertFalse(zone.addAddress("bad..name", "10.0.0.9"))
        XCTAssertFalse(zone.addAddress("www.lab.test", "10.0.0.9"))  // an alias already
        XCTAssertFalse(zone.addAlias("h1.lab.test", target: "h2.lab.test"))  // has addresses
        XCTAssertFalse(zone.addAlias("swiftnet", target: "h2.lab.test"))  // the apex
        XCTAssertEqual(zone.serial, serial)
        assertNegative(ask("9.0.0.10.in-addr.arpa", .ptr, zone: zone), .nxDomain)
        XCTAssertTrue(zone.addAlias("www.lab.test", target: "h2.lab.test"))
        XCTAssertEqual(zone.serial, serial + 1)
        XCTAssertEqual(ask("www.lab.test", .a, zone: zone).answers.last?.data, .a([10, 0, 0, 2]))
        XCTAssertTrue(zone.addAddress("h1.lab.test", "10.0.0.1"))
        XCTAssertEqual(ask("h1.lab.test", .a, zone: zone).answers.count, 1)
    }
}
