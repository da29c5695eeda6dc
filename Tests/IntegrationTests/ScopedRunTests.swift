import Foundation
import Swiftnet
import XCTest

/// `Network.run(topology) { net in ... }`: the library's scoped API tears down on every
/// way out and never ends the process.
final class ScopedRunTests: XCTestCase {
    struct Boom: Error {}

    func testTearsDownOnReturnAndOnError() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let loss = try Network.run(star(2, name: "scoped")) { net in
            XCTAssertTrue(net.isRunning)
            return net.pingAll().droppedPercent
        }
        XCTAssertEqual(loss, 0)
        XCTAssertEqual(try RootSnapshot.take(), before)

        var inside: Network?
        XCTAssertThrowsError(try Network.run(star(2, name: "scoped")) { net in
            inside = net
            _ = try net.node("h1").start(["sleep", "300"])
            _ = try net.node("h1").cmd("sleep 300 &")
            throw Boom()
        }) { XCTAssertTrue($0 is Boom, "\($0)") }
        XCTAssertEqual(inside?.isRunning, false, "the body's error stopped the network")
        XCTAssertEqual(try RootSnapshot.take(), before)
    }

    func testInvalidTopologyThrowsAndBuildsNothing() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let bad = Topology("bad") {
            Host("h1")
            Link("h1", "s9")
        }
        var ran = false
        XCTAssertThrowsError(try Network.run(bad) { _ in ran = true }) {
            XCTAssertTrue($0 is TopologyError, "\($0)")
            XCTAssertTrue("\($0)".contains("s9"), "\($0)")
        }
        XCTAssertFalse(ran)
        XCTAssertEqual(try RootSnapshot.take(), before)
    }

    func testCancellationThrowsInterruptedAndTearsDown() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        var options = NetworkOptions()
        let flag = Flag()
        options.isCancelled = { flag.isSet }
        let start = ContinuousClock.now
        XCTAssertThrowsError(try Network.run(star(2, name: "scoped"), options: options) { net in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { flag.set() }
            _ = try net.node("h1").shell("sleep 30")
        }) { XCTAssertTrue(($0 as? NetworkError)?.isInterrupted ?? false, "\($0)") }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
        XCTAssertEqual(try RootSnapshot.take(), before)
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
