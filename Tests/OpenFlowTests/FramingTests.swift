import XCTest
@testable import OpenFlow

final class FramingTests: XCTestCase {
    func testHeaderBytes() throws {
        let h = OFHeader(version: 4, type: 0, length: 16, xid: 0x0102_0304)
        XCTAssertEqual(h.bytes, hex("04 00 00 10 01 02 03 04"))
        XCTAssertEqual(try OFHeader(bytes: h.bytes), h)
        XCTAssertEqual(h.ofVersion, .v1_3)
        XCTAssertNil(OFHeader(version: 5, type: 0, length: 8, xid: 0).ofVersion)
    }

    func testFramerReassemblesByteByByte() throws {
        let a = try OFMessage.echoRequest([1, 2, 3]).encode(version: .v1_3, xid: 1)
        let b = try OFMessage.featuresRequest.encode(version: .v1_3, xid: 2)
        let c = Vectors13Tests.flowMod
        var framer = OFFramer()
        var frames: [OFFrame] = []
        for byte in a + b + c {
            framer.append([byte])
            while let f = try framer.pop() { frames.append(f) }
        }
        XCTAssertEqual(frames.map(\.bytes), [a, b, c])
        XCTAssertEqual(frames.map(\.header.xid), [1, 2, 5])
        XCTAssertEqual(try frames[1].decode(), .featuresRequest)
        XCTAssertEqual(framer.bufferedCount, 0)
    }

    func testFramerKeepsPartialMessages() throws {
        var framer = OFFramer()
        let m = Vectors10Tests.featuresReply
        framer.append(m[0..<7])
        XCTAssertNil(try framer.pop())
        framer.append(m[7..<50])
        XCTAssertNil(try framer.pop())
        framer.append(m[50...] + m[0..<3])
        XCTAssertEqual(try framer.pop()?.bytes, m)
        XCTAssertNil(try framer.pop())
        XCTAssertEqual(framer.bufferedCount, 3)
        framer.append(m[3...])
        XCTAssertEqual(try framer.drain().count, 1)
    }

    func testFramerRejectsLengthBelowHeader() {
        var framer = OFFramer()
        framer.append(hex("04 00 00 04 00 00 00 00"))
        assertOFError(try framer.pop()) { if case .badLength = $0 { true } else { false } }
    }

    func testManyMessagesCompact() throws {
        var framer = OFFramer()
        let echo = try OFMessage.echoReply(Array(repeating: 7, count: 100)).encode(version: .v1_0, xid: 9)
        var count = 0
        for _ in 0..<500 {
            framer.append(echo + echo[0..<10])
            framer.append(echo[10...])
            count += try framer.drain().count
        }
        XCTAssertEqual(count, 1000)
        XCTAssertEqual(framer.bufferedCount, 0)
    }
}

final class HelloTests: XCTestCase {
    /// ofp_hello with one OFPHET_VERSIONBITMAP element: bits 1 (1.0) and 4 (1.3).
    static let hello13 = hex("04 00 00 10 00 00 00 01", "00 01 00 08 00 00 00 12")

    func testHelloWithBitmap() throws {
        let m = try decodeVector(Self.hello13, version: .v1_3, type: 0, xid: 1)
        XCTAssertEqual(m, .hello(OFHello(version: 4, versionBitmap: [1, 4])))
        XCTAssertEqual(OFMessage.hello(OFHello(supporting: [.v1_3, .v1_0])), m)
        XCTAssertEqual(OFVersion.negotiate(ours: [.v1_0, .v1_3], hello: m), .v1_3)
        XCTAssertEqual(OFVersion.negotiate(ours: [.v1_0], hello: m), .v1_0)
    }

    func testHelloBitmapPadding() throws {
        // Version 0x21 needs a second bitmap word: the element is 12 bytes, padded to 16.
        let bytes = try OFMessage.hello(OFHello(versionBitmap: [4, 0x21])).encode(version: .v1_3)
        XCTAssertEqual(bytes, hex("04 00 00 18 00 00 00 00", "00 01 00 0c 00 00 00 10 00 00 00 02 00 00 00 00"))
        XCTAssertEqual(try OFMessage.decode(bytes).message, .hello(OFHello(version: 4, versionBitmap: [4, 0x21])))
    }

    func testHelloWithoutBitmap() throws {
        let m10 = try decodeVector(hex("01 00 00 08 00 00 00 02"), version: .v1_0, type: 0, xid: 2)
        XCTAssertEqual(OFVersion.negotiate(ours: [.v1_0, .v1_3], hello: m10), .v1_0)
        XCTAssertNil(OFVersion.negotiate(ours: [.v1_3], hello: m10))
        // A 1.5 peer without a bitmap is taken to speak every version up to 1.5.
        let m15 = try OFMessage.decode(hex("06 00 00 08 00 00 00 03")).message
        XCTAssertEqual(OFVersion.negotiate(ours: [.v1_0, .v1_3], hello: m15), .v1_3)
        // A 1.0 HELLO's body is ignored.
        XCTAssertEqual(try OFMessage.decode(hex("01 00 00 0c 00 00 00 02 ff ff ff ff")).message,
                       .hello(OFHello(version: 1)))
        // 1.0 encoding writes no element.
        XCTAssertEqual(try OFMessage.hello(OFHello(supporting: [.v1_0, .v1_3])).encode(version: .v1_0, xid: 2),
                       hex("01 00 00 08 00 00 00 02"))
    }

    func testNegotiationFailures() throws {
        let only15 = try OFMessage.decode(hex("06 00 00 10 00 00 00 00 00 01 00 08 00 00 00 60")).message
        XCTAssertEqual(only15, .hello(OFHello(version: 6, versionBitmap: [5, 6])))
        XCTAssertNil(OFVersion.negotiate(ours: [.v1_0, .v1_3], hello: only15))
        XCTAssertNil(OFVersion.negotiate(ours: [.v1_3], hello: .featuresRequest))
        // Unknown elements are skipped.
        let withUnknown = hex("04 00 00 18 00 00 00 00", "00 09 00 05 aa 00 00 00", "00 01 00 08 00 00 00 10")
        XCTAssertEqual(try OFMessage.decode(withUnknown).message, .hello(OFHello(version: 4, versionBitmap: [4])))
    }

    func testErrorReplyHelpers() throws {
        let request = Array(Vectors13Tests.flowMod)
        let e = OFErrorMessage(type: OFErrorType.badRequest, code: OFBadRequestCode.badType, replyingTo: request)
        XCTAssertEqual(e.data.count, 64)
        XCTAssertEqual(OFError.unsupportedVersion(2).wireError(version: .v1_3).code, OFBadRequestCode.badVersion)
        XCTAssertTrue(OFError.badOXMField(oxmClass: 0x8000, field: 99).wireError(version: .v1_3) == (4, 6))
        XCTAssertTrue(OFError.badFlowModCommand(9).wireError(version: .v1_0) == (3, 4))
        XCTAssertTrue(OFError.badFlowModCommand(9).wireError(version: .v1_3) == (5, 6))
        XCTAssertEqual(OFErrorType.flowModFailed(.v1_3), 5)
        let reply = OFErrorMessage(decoding: .badActionType(22), request: request, version: .v1_3)
        XCTAssertEqual(reply, OFErrorMessage(type: OFErrorType.badAction, code: 0, data: Array(request[0..<64])))
    }
}
