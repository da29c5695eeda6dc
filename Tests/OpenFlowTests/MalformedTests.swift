import XCTest
@testable import OpenFlow

/// Malformed input must end in a typed `OFError`, never a trap.
final class MalformedTests: XCTestCase {
    func testShortHeader() {
        assertOFError(try OFMessage.decode([])) { if case .truncated = $0 { true } else { false } }
        assertOFError(try OFMessage.decode(hex("04 00 00"))) { if case .truncated = $0 { true } else { false } }
        assertOFError(try OFHeader(bytes: hex("04 00 00 08 00 00 00"))) {
            if case .truncated = $0 { true } else { false }
        }
    }

    func testLengthLies() {
        // Says 100 bytes, has 12.
        assertOFError(try OFMessage.decode(hex("04 02 00 64 00 00 00 00 01 02 03 04"))) {
            if case .truncated = $0 { true } else { false }
        }
        // Says 8 bytes, has 12.
        assertOFError(try OFMessage.decode(hex("04 02 00 08 00 00 00 00 01 02 03 04"))) {
            if case .badLength = $0 { true } else { false }
        }
        // Says less than a header.
        assertOFError(try OFMessage.decode(hex("04 05 00 02 00 00 00 00"))) {
            if case .badLength = $0 { true } else { false }
        }
        // A fixed-size message with trailing bytes, and one cut short.
        assertOFError(try OFMessage.decode(hex("04 05 00 0a 00 00 00 00 00 00"))) {
            if case .badLength = $0 { true } else { false }
        }
        assertOFError(try OFMessage.decode(hex("04 18 00 0c 00 00 00 00 00 00 00 02"))) {
            if case .truncated = $0 { true } else { false }
        }
        // PACKET_OUT whose actions_len runs past the message.
        assertOFError(try OFMessage.decode(hex("01 0d 00 14 00 00 00 00 ff ff ff ff ff fd 00 10 00 00 00 08"))) {
            if case .badLength = $0 { true } else { false }
        }
    }

    /// The 1.3 FLOW_MOD vector with its match replaced by `match` (already padded).
    private func flowMod13(match: [UInt8], instructions: [UInt8] = []) -> [UInt8] {
        var bytes = Array(Vectors13Tests.flowMod[0..<48]) + match + instructions
        bytes[2] = UInt8(bytes.count >> 8)
        bytes[3] = UInt8(bytes.count & 0xFF)
        return bytes
    }

    func testOXMOverruns() {
        // The TLV claims 6 bytes but the match ends after 4.
        let overrun = flowMod13(match: hex("00 01 00 0c 80 00 06 06 00 00 00 00 00 00 00 00"))
        assertOFError(try OFMessage.decode(overrun)) {
            if case .badOXMLength(field: 3, length: 6) = $0 { true } else { false }
        }
        // The match claims more bytes than the message has.
        assertOFError(try OFMessage.decode(flowMod13(match: hex("00 01 00 40 80 00 00 04 00 00 00 01")))) {
            if case .badLength = $0 { true } else { false }
        }
        // A TLV header cut in half.
        assertOFError(try OFMessage.decode(flowMod13(match: hex("00 01 00 06 80 00 00 00")))) {
            if case .badOXMLength = $0 { true } else { false }
        }
        // in_port with the wrong length, and with a mask it may not have.
        assertOFError(try OFMessage.decode(flowMod13(match: hex("00 01 00 0a 80 00 00 02 00 01 00 00 00 00 00 00")))) {
            if case .badOXMLength(field: 0, length: 2) = $0 { true } else { false }
        }
        assertOFError(try OFMessage.decode(flowMod13(match: hex(
            "00 01 00 10 80 00 01 08 00 00 00 01 ff ff ff ff")))) {
            if case .badOXMLength(field: 0, length: 8) = $0 { true } else { false }
        }
        // Match length below the 4-byte match header.
        assertOFError(try OFMessage.decode(flowMod13(match: hex("00 01 00 02 00 00 00 00")))) {
            if case .badLength = $0 { true } else { false }
        }
    }

    func testBadMatchContents() {
        assertOFError(try OFMessage.decode(flowMod13(match: hex("00 00 00 04 00 00 00 00")))) {
            $0 == .badMatchType(0)
        }
        assertOFError(try OFMessage.decode(flowMod13(match: hex(
            "00 01 00 14 80 00 00 04 00 00 00 01 80 00 00 04 00 00 00 02 00 00 00 00")))) {
            $0 == .duplicateOXMField(0)
        }
        // NXM class and an unknown basic field.
        assertOFError(try OFMessage.decode(flowMod13(match: hex("00 01 00 0a 00 01 02 02 00 01 00 00 00 00 00 00")))) {
            $0 == .badOXMField(oxmClass: 1, field: 1)
        }
        // Field 40 is 1.4's pbb_uca, unknown in 1.3.
        assertOFError(try OFMessage.decode(flowMod13(match: hex("00 01 00 09 80 00 50 01 00 00 00 00 00 00 00 00")))) {
            $0 == .badOXMField(oxmClass: 0x8000, field: 40)
        }
    }

    func testBadActionsAndInstructions() {
        let empty = hex("00 01 00 04 00 00 00 00")
        // Zero-length action (would loop forever if accepted).
        assertOFError(try OFMessage.decode(flowMod13(match: empty, instructions: hex(
            "00 04 00 10 00 00 00 00 00 00 00 00 00 00 00 00")))) { $0 == .badActionLength(0) }
        // Output action claiming 24 bytes inside a 16-byte instruction.
        assertOFError(try OFMessage.decode(flowMod13(match: empty, instructions: hex(
            "00 04 00 10 00 00 00 00 00 00 00 18 00 00 00 01")))) { $0 == .badActionLength(24) }
        // Action type 28 and instruction type 7 do not exist in 1.3.
        assertOFError(try OFMessage.decode(flowMod13(match: empty, instructions: hex(
            "00 04 00 10 00 00 00 00 00 1c 00 08 00 00 00 01")))) { $0 == .badActionType(28) }
        assertOFError(try OFMessage.decode(flowMod13(match: empty, instructions: hex(
            "00 07 00 08 00 00 00 00")))) {
            $0 == .badInstructionType(7)
        }
        // Instruction longer than what is left.
        assertOFError(try OFMessage.decode(flowMod13(match: empty, instructions: hex("00 01 00 10 01 00 00 00")))) {
            $0 == .badInstructionLength(16)
        }
        // 1.0: unknown action (ENQUEUE) and wrong length for SET_DL_SRC.
        var flowMod10 = Vectors10Tests.flowMod
        flowMod10.replaceSubrange(72..<80, with: hex("00 0b 00 08 00 01 00 00"))
        assertOFError(try OFMessage.decode(flowMod10)) { $0 == .badActionType(11) }
        flowMod10.replaceSubrange(72..<80, with: hex("00 04 00 08 00 00 00 00"))
        assertOFError(try OFMessage.decode(flowMod10)) { $0 == .badActionLength(8) }
        flowMod10[57] = 9  // command 9
        assertOFError(try OFMessage.decode(flowMod10)) { $0 == .badFlowModCommand(9) }
    }

    func testUnsupportedVersionAndUnknownTypes() throws {
        assertOFError(try OFMessage.decode(hex("02 05 00 08 00 00 00 00"))) { $0 == .unsupportedVersion(2) }
        // Type 30 (no 1.3 message) and VENDOR (1.0 type 4) are not modelled: they decode as unknown.
        XCTAssertEqual(try OFMessage.decode(hex("04 1e 00 0c 00 00 00 01 00 00 00 00")).message,
                       .unknown(type: 30, body: [0, 0, 0, 0]))
        // A GROUP_MOD cut short, and one whose bucket claims more than there is.
        assertOFError(try OFMessage.decode(hex("04 0f 00 0c 00 00 00 01 00 00 00 00"))) { if case .truncated = $0 { true } else { false } }
        assertOFError(try OFMessage.decode(hex("04 0f 00 20 00 00 00 01 00 00 00 00 00 00 00 01 00 40 00 00 00 00 00 00 00 00 00 00 00 00 00 00"))) {
            if case .badLength = $0 { true } else { false }
        }
        XCTAssertEqual(try OFMessage.decode(hex("01 04 00 08 00 00 00 01")).message, .unknown(type: 4, body: []))
        // ROLE_REQUEST's number means nothing in 1.0.
        XCTAssertEqual(try OFMessage.decode(hex("01 18 00 08 00 00 00 01")).message, .unknown(type: 24, body: []))
        // An unknown multipart type keeps its body.
        XCTAssertEqual(try OFMessage.decode(hex("04 12 00 14 00 00 00 01 00 0c 00 00 00 00 00 00 01 02 03 04"))
                        .message, .statsRequest(.unknown(type: 12, body: [1, 2, 3, 4])))
    }

    func testEncodingRefusesWhatAVersionCannotSay() {
        assertOFError(try OFMessage.roleRequest(OFRole(role: 2)).encode(version: .v1_0)) {
            if case .unsupported = $0 { true } else { false }
        }
        assertOFError(try OFMessage.statsRequest(.portDesc).encode(version: .v1_0)) {
            if case .unsupported = $0 { true } else { false }
        }
        assertOFError(try OFMessage.packetOut(OFPacketOut(actions: [.output(port: 0x1_0000)])).encode(version: .v1_0)) {
            if case .valueOutOfRange = $0 { true } else { false }
        }
        assertOFError(try OFMessage.packetOut(OFPacketOut(actions: [.setTransportSrc(1)])).encode(version: .v1_3)) {
            if case .unsupported = $0 { true } else { false }
        }
        assertOFError(try OFMessage.echoRequest(Array(repeating: 0, count: 70000)).encode(version: .v1_3)) {
            if case .valueOutOfRange = $0 { true } else { false }
        }
        let twoLists = OFFlowMod(instructions: [.applyActions([]), .gotoTable(1)])
        assertOFError(try OFMessage.flowMod(twoLists).encode(version: .v1_0)) {
            if case .unsupported = $0 { true } else { false }
        }
    }

    /// Every prefix, and many random corruptions, of every vector: decoding may fail, never trap.
    func testFuzzNeverTraps() {
        var vectors: [[UInt8]] = [Vectors10Tests.featuresReply, Vectors10Tests.flowMod, Vectors13Tests.flowMod,
                                  HelloTests.hello13, hex("04 13 00 50 00 00 00 0b 00 0d 00 00 00 00 00 00")
                                      + Vectors13Tests.port64]
        for m in RoundTripTests.samples {
            for v in OFVersion.allCases { if let b = try? m.encode(version: v, xid: 1) { vectors.append(b) } }
        }
        var rng = SplitMix64(state: 42)
        var decoded = 0
        for v in vectors {
            for n in 0...v.count {
                var prefix = Array(v[0..<n])
                if n >= 4 {  // keep the length honest so the body parsers see the cut
                    prefix[2] = UInt8(n >> 8)
                    prefix[3] = UInt8(n & 0xFF)
                }
                if (try? OFMessage.decode(prefix)) != nil { decoded += 1 }
            }
            for _ in 0..<300 {
                var mutated = v
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let i = Int.random(in: 8..<max(9, mutated.count), using: &rng)
                    if i < mutated.count { mutated[i] = UInt8.random(in: 0...255, using: &rng) }
                }
                if (try? OFMessage.decode(mutated)) != nil { decoded += 1 }
            }
        }
        XCTAssertGreaterThan(decoded, 0)
    }
}
