@testable import Swiftnet
import Foundation
import XCTest

/// `ServiceSet`: dependency order, reverse stop, and a failed start undoing the others.
final class ServiceSetTests: XCTestCase {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String] = []
        func add(_ s: String) { lock.withLock { entries.append(s) } }
        var all: [String] { lock.withLock { entries } }
    }

    final class Fake: NetworkService, @unchecked Sendable {
        let name: String
        let dependencies: [String]
        let log: Log
        let fails: Bool
        init(_ name: String, after: [String] = [], log: Log, fails: Bool = false) {
            self.name = name
            self.dependencies = after
            self.log = log
            self.fails = fails
        }
        func start(_ net: Network) throws {
            log.add("start \(name)")
            if fails { throw NetworkError("\(name) cannot start") }
        }
        func stop() { log.add("stop \(name)") }
        func status() -> ServiceStatus { ServiceStatus(name: name, state: .idle) }
    }

    func net() throws -> Network {
        Network(try Topology("t") { Host("h1"); Switch("s1"); Link("h1", "s1") }.validated())
    }

    func testDependenciesFirstAndReverseStop() throws {
        let log = Log()
        let set = ServiceSet([
            Fake("control", after: ["dns", "frr", "state"], log: log),
            Fake("frr", after: ["state", "userswitch"], log: log),  // userswitch absent: ignored
            Fake("dns", after: ["state"], log: log),
            Fake("state", log: log),
        ])
        // Each after its dependencies, in the order they are declared.
        XCTAssertEqual(set.ordered.map(\.name), ["state", "dns", "frr", "control"])
        try set.start(try net())
        set.stop()
        XCTAssertEqual(log.all, ["start state", "start dns", "start frr", "start control",
                                 "stop control", "stop frr", "stop dns", "stop state"])
        XCTAssertTrue(set.first(Fake.self) != nil)
    }

    func testAFailedStartStopsWhatStartedInReverse() throws {
        let log = Log()
        let set = ServiceSet([Fake("state", log: log), Fake("dns", after: ["state"], log: log),
                              Fake("frr", after: ["dns"], log: log, fails: true), Fake("control", after: ["frr"], log: log)])
        XCTAssertThrowsError(try set.start(try net())) { XCTAssertEqual("\($0)", "frr cannot start") }
        XCTAssertEqual(log.all, ["start state", "start dns", "start frr", "stop dns", "stop state"])
    }

    func testLifecycleRecordsFailure() throws {
        let l = ServiceLifecycle()
        XCTAssertEqual(l.status("x") { "fine" }.state, .idle)
        XCTAssertThrowsError(try l.start { throw NetworkError("no binary") } as Void)
        XCTAssertEqual(l.status("x") { "fine" }, ServiceStatus(name: "x", state: .failed, detail: "no binary"))
        l.stop()
        XCTAssertEqual(l.status("x") { "fine" }.state, .failed, "a failure stays the status")
        let ok = ServiceLifecycle()
        XCTAssertEqual(try ok.start { 7 }, 7)
        XCTAssertEqual(ok.status("y") { "fine" }, ServiceStatus(name: "y", state: .running, detail: "fine"))
        ok.stop()
        XCTAssertEqual(ok.status("y") { "fine" }.state, .stopped)
    }
}
