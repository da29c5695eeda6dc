import XCTest
@testable import DNS

final class CodecTests: XCTestCase {
    /// "SRI-NIC.ARPA" IN A, id 0xABCD, RD set: laid out as in RFC 1035 §4.1 and §6.2.1.
    static let sriNicQuery: [UInt8] = [
        0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x07, 0x53, 0x52, 0x49, 0x2D, 0x4E, 0x49, 0x43, 0x04, 0x41, 0x52, 0x50, 0x41, 0x00,
        0x00, 0x01, 0x00, 0x01,
    ]

    /// The authoritative answer: two A records (26.0.0.73, 10.0.0.51), TTL 86400, whose
    /// owner names point back to the question name at offset 12.
    static let sriNicResponse: [UInt8] = [
        0xAB, 0xCD, 0x85, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x07, 0x53, 0x52, 0x49, 0x2D, 0x4E, 0x49, 0x43, 0x04, 0x41, 0x52, 0x50, 0x41, 0x00,
        0x00, 0x01, 0x00, 0x01,
        0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x51, 0x80, 0x00, 0x04, 0x1A, 0x00, 0x00, 0x49,
        0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x51, 0x80, 0x00, 0x04, 0x0A, 0x00, 0x00, 0x33,
    ]

    func testDecodeHandWrittenQuery() throws {
        let message = try DNSMessage(bytes: Self.sriNicQuery)
        XCTAssertEqual(message.id, 0xABCD)
        XCTAssertFalse(message.qr)
        XCTAssertEqual(message.opcode, .query)
        XCTAssertTrue(message.rd)
        XCTAssertFalse(message.aa || message.tc || message.ra)
        XCTAssertEqual(message.rcode, .noError)
        XCTAssertEqual(message.questions, [DNSQuestion(name: "SRI-NIC.ARPA", type: .a, class: .in)])
        XCTAssertTrue(message.answers.isEmpty && message.authority.isEmpty && message.additional.isEmpty)
        XCTAssertEqual(try message.encode(), Self.sriNicQuery)
    }

    func testDecodeHandWrittenResponse() throws {
        let message = try DNSMessage(bytes: Self.sriNicResponse)
        XCTAssertEqual(message.id, 0xABCD)
        XCTAssertTrue(message.qr && message.aa && message.rd && message.ra)
        XCTAssertFalse(message.tc)
        XCTAssertEqual(message.rcode, .noError)
        XCTAssertEqual(message.questions.first?.name, "SRI-NIC.ARPA")
        XCTAssertEqual(message.answers.count, 2)
        XCTAssertEqual(message.answers.map(\.name), ["SRI-NIC.ARPA", "SRI-NIC.ARPA"])
        XCTAssertEqual(message.answers.map(\.ttl), [86400, 86400])
        XCTAssertEqual(message.answers.map(\.type), [.a, .a])
        XCTAssertEqual(message.answers.compactMap(\.data.address), ["26.0.0.73", "10.0.0.51"])
        // Our encoder compresses the same way the hand-written bytes do.
        XCTAssertEqual(try message.encode(), Self.sriNicResponse)
    }

    func testQueryConvenienceEncodesExactBytes() throws {
        let query = DNSMessage.query(id: 0x1234, name: "h1.lab.test.", type: .aaaa, recursionDesired: false)
        XCTAssertEqual(try query.encode(), [
            0x12, 0x34, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x02, 0x68, 0x31, 0x03, 0x6C, 0x61, 0x62, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00,
            0x00, 0x1C, 0x00, 0x01,
        ])
    }

    static func richMessage() -> DNSMessage {
        DNSMessage(
            id: 0xBEEF, qr: true, opcode: .query, aa: true, tc: true, rd: true, ra: true, rcode: .nxDomain,
            questions: [DNSQuestion(name: "www.lab.test", type: .any, class: .any)],
            answers: [
                DNSRecord(name: "www.lab.test", ttl: 30, data: .cname("h1.lab.test")),
                DNSRecord(name: "h1.lab.test", ttl: 30, data: .address("10.0.0.1")!),
                DNSRecord(name: "h1.lab.test", ttl: 30, data: .address("fc00::1")!),
                DNSRecord(name: "1.0.0.10.in-addr.arpa", ttl: 30, data: .ptr("h1.lab.test")),
                DNSRecord(name: "lab.test", ttl: 30, data: .text(["hello", "wörld", ""])),
                DNSRecord(name: "lab.test", type: DNSRecordType(rawValue: 99), ttl: 5, data: .raw([1, 2, 3])),
                DNSRecord(name: "a\\.b\\032c.lab.test", ttl: 1, data: .ns("ns1.lab.test")),
            ],
            authority: [
                DNSRecord(name: "lab.test", ttl: 60, data: .soa(DNSSOAData(
                    mname: "ns1.lab.test", rname: "hostmaster.lab.test", serial: 2024010101,
                    refresh: 3600, retry: 600, expire: 86400, minimum: 60))),
            ],
            additional: [
                DNSRecord(name: ".", type: .opt, class: DNSClass(rawValue: 4096), ttl: 0, data: .raw([])),
            ])
    }

    func testRoundTripOfEveryRecordKind() throws {
        let message = Self.richMessage()
        let bytes = try message.encode()
        XCTAssertEqual(try DNSMessage(bytes: bytes), message)
        XCTAssertEqual(try DNSMessage(bytes: bytes).ednsUDPPayloadSize, 4096)
        XCTAssertEqual(try DNSMessage(bytes: bytes).answers[2].data.address, "fc00::1")
        XCTAssertEqual(try DNSMessage(bytes: bytes).answers[4].data.texts, ["hello", "wörld", ""])
    }

    func testCompressionPointsAnswerNamesToEarlierNames() throws {
        let message = DNSMessage(id: 1, qr: true,
                                 questions: [DNSQuestion(name: "www.lab.test", type: .a)],
                                 answers: [DNSRecord(name: "www.lab.test", ttl: 60, data: .cname("h1.lab.test")),
                                           DNSRecord(name: "h1.lab.test", ttl: 60, data: .address("10.0.0.1")!)])
        let bytes = try message.encode()
        // Question name at 12 ("www.lab.test" = 14 bytes), QTYPE/QCLASS, then the first
        // answer's owner must be a pointer to offset 12.
        let answerStart = 12 + 14 + 4
        XCTAssertEqual(Array(bytes[answerStart..<answerStart + 2]), [0xC0, 0x0C])
        // The CNAME target "h1.lab.test" is written as "h1" plus a pointer to "lab.test"
        // (offset 16 inside the question name): 1 + 2 + 2 bytes of RDATA.
        let rdLengthAt = answerStart + 2 + 8
        XCTAssertEqual(Array(bytes[rdLengthAt..<rdLengthAt + 2]), [0x00, 0x05])
        XCTAssertEqual(Array(bytes[rdLengthAt + 2..<rdLengthAt + 7]), [0x02, 0x68, 0x31, 0xC0, 0x10])
        // The A record's owner points at the CNAME target inside the RDATA.
        let secondAnswer = rdLengthAt + 7
        XCTAssertEqual(Array(bytes[secondAnswer..<secondAnswer + 2]), [0xC0, UInt8(rdLengthAt + 2)])
        XCTAssertEqual(bytes.count, secondAnswer + 2 + 10 + 4)
        XCTAssertEqual(try DNSMessage(bytes: bytes), message)
    }

    func testPointerLoopsAreRejected() {
        // A question name that is a pointer to itself.
        let selfLoop: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1]
        XCTAssertThrowsError(try DNSMessage(bytes: selfLoop)) { error in
            XCTAssertEqual(error as? DNSDecodingError, .badPointer(offset: 12, target: 12))
        }
        // A label followed by a pointer back to that label.
        let twoStep: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x01, 0x61, 0xC0, 0x0C, 0, 1, 0, 1]
        XCTAssertThrowsError(try DNSMessage(bytes: twoStep)) { error in
            XCTAssertEqual(error as? DNSDecodingError, .badPointer(offset: 14, target: 12))
        }
        // Two names pointing at each other: the record's owner points forward.
        let forward: [UInt8] = [0, 1, 0x80, 0, 0, 1, 0, 1, 0, 0, 0, 0,
                                0x01, 0x61, 0xC0, 0x14, 0, 1, 0, 1,
                                0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]
        XCTAssertThrowsError(try DNSMessage(bytes: forward)) { error in
            XCTAssertEqual(error as? DNSDecodingError, .badPointer(offset: 14, target: 20))
        }
    }

    func testTruncatedMessagesAreRejected() throws {
        XCTAssertThrowsError(try DNSMessage(bytes: Array(Self.sriNicQuery.dropLast()))) { error in
            guard case .truncated = error as? DNSDecodingError else { return XCTFail("\(error)") }
        }
        // Every proper prefix of a response fails with a decoding error instead of trapping.
        let full = try Self.richMessage().encode()
        for length in 0..<full.count {
            XCTAssertThrowsError(try DNSMessage(bytes: Array(full[..<length])), "prefix of \(length) bytes") { error in
                XCTAssertTrue(error is DNSDecodingError)
            }
        }
    }

    func testCorruptedMessagesNeverTrap() throws {
        let full = try Self.richMessage().encode()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        var failures = 0
        for _ in 0..<3000 {
            var bytes = full
            for _ in 0..<(1 + next() % 4) { bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next()) }
            do { _ = try DNSMessage(bytes: bytes) } catch { failures += 1 }
        }
        XCTAssertGreaterThan(failures, 0)
    }

    func testReservedLabelTypesAndBadRecordData() {
        let reserved: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0x61, 0, 0, 1, 0, 1]
        XCTAssertThrowsError(try DNSMessage(bytes: reserved)) { error in
            XCTAssertEqual(error as? DNSDecodingError, .badLabelType(offset: 12))
        }
        // An A record with 5 bytes of RDATA.
        let badA: [UInt8] = [0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0,
                             0x01, 0x61, 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5]
        XCTAssertThrowsError(try DNSMessage(bytes: badA)) { error in
            XCTAssertEqual(error as? DNSDecodingError, .badRecordData(type: .a, offset: 25))
        }
        // A CNAME whose name runs past its RDLENGTH.
        let badCNAME: [UInt8] = [0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0,
                                 0x01, 0x61, 0, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0x01, 0x62, 0]
        XCTAssertThrowsError(try DNSMessage(bytes: badCNAME)) { error in
            XCTAssertEqual(error as? DNSDecodingError, .badRecordData(type: .cname, offset: 25))
        }
    }

    func testOverlongNamesAreRejected() {
        // 5 labels of 63 bytes: 320 bytes on the wire.
        var bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for _ in 0..<5 { bytes += [63] + [UInt8](repeating: 0x61, count: 63) }
        bytes += [0, 0, 1, 0, 1]
        XCTAssertThrowsError(try DNSMessage(bytes: bytes)) { error in
            XCTAssertEqual(error as? DNSDecodingError, .nameTooLong(offset: 12))
        }
    }

    func testInvalidNamesAndDataAreNotEncoded() {
        let longLabel = String(repeating: "x", count: 64) + ".test"
        for name in ["a..b", longLabel, "bad\\", "bad\\25", "bad\\300"] {
            XCTAssertThrowsError(try DNSMessage.query(id: 1, name: name, type: .a).encode(), name) { error in
                XCTAssertEqual(error as? DNSEncodingError, .invalidName(name))
            }
        }
        let wrongSize = DNSMessage(answers: [DNSRecord(name: "x", ttl: 1, data: .a([1, 2, 3]))])
        XCTAssertThrowsError(try wrongSize.encode()) { error in
            XCTAssertEqual(error as? DNSEncodingError, .invalidAddress(type: .a, byteCount: 3))
        }
        let longText = DNSMessage(answers: [DNSRecord(name: "x", ttl: 1, data: .txt([[UInt8](repeating: 1, count: 256)]))])
        XCTAssertThrowsError(try longText.encode()) { error in
            XCTAssertEqual(error as? DNSEncodingError, .characterStringTooLong(256))
        }
    }

    func testNameEscapesSurviveTheWire() throws {
        let query = DNSMessage.query(id: 7, name: "a\\.b\\092c\\000.Test", type: .a)
        let bytes = try query.encode()
        XCTAssertEqual(Array(bytes[12..<26]), [6, 0x61, 0x2E, 0x62, 0x5C, 0x63, 0x00, 4, 0x54, 0x65, 0x73, 0x74, 0, 0])
        XCTAssertEqual(try DNSMessage(bytes: bytes).questions[0].name, "a\\.b\\\\c\\000.Test")
        XCTAssertEqual(DNSName.key("A\\.B\\\\C\\000.TEST."), "a\\.b\\\\c\\000.test")
    }

    func testAddressConversions() {
        XCTAssertEqual(DNSAddress.bytes("10.0.0.1"), [10, 0, 0, 1])
        XCTAssertEqual(DNSAddress.bytes("fc00::1"), [0xFC] + [UInt8](repeating: 0, count: 14) + [1])
        XCTAssertNil(DNSAddress.bytes("10.0.0.256"))
        XCTAssertNil(DNSAddress.bytes("h1"))
        XCTAssertEqual(DNSAddress.text([192, 168, 1, 2]), "192.168.1.2")
        XCTAssertEqual(DNSAddress.text([0xFC] + [UInt8](repeating: 0, count: 14) + [1]), "fc00::1")
        XCTAssertNil(DNSAddress.text([1, 2, 3]))
        XCTAssertEqual(DNSAddress.reverseName("10.0.0.1"), "1.0.0.10.in-addr.arpa")
        XCTAssertEqual(DNSAddress.reverseName("2001:db8::567:89ab"),
                       "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")
    }
}
