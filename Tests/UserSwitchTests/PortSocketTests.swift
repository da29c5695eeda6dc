import XCTest
@testable import UserSwitch

/// The ports' one socket: its filter is built from the ports' ifindexes as ranges.
final class PortSocketTests: XCTestCase {
    func testIfindexesBecomeRangesOfConsecutiveOnes() {
        XCTAssertEqual(UserDatapath.ranges(of: []), [])
        XCTAssertEqual(UserDatapath.ranges(of: [7]), [7, 7])
        // Out of order, with a repeat: 3-5, 9-10, 12.
        XCTAssertEqual(UserDatapath.ranges(of: [5, 3, 4, 9, 10, 12, 4]), [3, 5, 9, 10, 12, 12])
        // A fabric of 3,000 ports made one after the other is one range.
        XCTAssertEqual(UserDatapath.ranges(of: Array(2...3001)), [2, 3001])
        // Ports interleaved with a bridge's (every other index) stay apart.
        XCTAssertEqual(UserDatapath.ranges(of: [2, 4, 6]), [2, 2, 4, 4, 6, 6])
    }
}
