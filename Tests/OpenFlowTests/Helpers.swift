import XCTest
@testable import OpenFlow

/// Bytes from groups of hexadecimal pairs separated by spaces, e.g. `hex("01 00", "00 08")`.
func hex(_ groups: String...) -> [UInt8] {
    var out: [UInt8] = []
    for g in groups {
        for token in g.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            guard let b = UInt8(token, radix: 16), token.count == 2 else {
                fatalError("bad hex byte \(token)")
            }
            out.append(b)
        }
    }
    return out
}

/// Asserts that `body` throws an `OFError` satisfying `check`.
func assertOFError<T>(_ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line,
                      _ check: (OFError) -> Bool) {
    do {
        _ = try body()
        XCTFail("expected an OFError", file: file, line: line)
    } catch let e as OFError {
        XCTAssertTrue(check(e), "unexpected error \(e)", file: file, line: line)
    } catch {
        XCTFail("unexpected non-OFError \(error)", file: file, line: line)
    }
}

/// Decodes `bytes`, checks the header, and checks that re-encoding gives the same bytes.
@discardableResult
func decodeVector(_ bytes: [UInt8], version: OFVersion, type: UInt8, xid: UInt32,
                  file: StaticString = #filePath, line: UInt = #line) throws -> OFMessage {
    let (header, message) = try OFMessage.decode(bytes)
    XCTAssertEqual(header, OFHeader(version: version.rawValue, type: type, length: UInt16(bytes.count), xid: xid),
                   file: file, line: line)
    let again = try message.encode(version: version, xid: xid)
    XCTAssertEqual(again, bytes, "re-encoding differs", file: file, line: line)
    return message
}

/// A small deterministic generator for fuzzing.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let mac1 = OFMACAddress("00:00:00:00:00:01")!
let mac2 = OFMACAddress("00:00:00:00:00:02")!
