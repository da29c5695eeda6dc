@testable import Swiftnet
import XCTest

/// A streamed command's output is cut where the pipe cut it; a character is never split.
final class UTF8CarryTests: XCTestCase {
    func testACharacterSplitAcrossReadsIsKeptWhole() {
        var c = UTF8Carry()
        let bytes = Array("aé€😀b".utf8)  // 1, 2, 3 and 4 bytes, then 1
        var out = ""
        for i in bytes.indices { if let t = c.take(1, bytes[i...i]) { out += t } }
        XCTAssertEqual(out, "aé€😀b")
        XCTAssertFalse(out.contains("\u{FFFD}"))
    }

    func testStreamsAreHeldApart() {
        var c = UTF8Carry()
        let e = Array("é".utf8)
        XCTAssertNil(c.take(1, e[0..<1]))
        XCTAssertEqual(c.take(2, ArraySlice(Array("x".utf8))), "x")
        XCTAssertEqual(c.take(1, e[1..<2]), "é")
    }
}
