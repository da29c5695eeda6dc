import XCTest
@testable import Swiftnet

/// The user switch service as a network makes it, before it starts.
final class UserSwitchServiceTests: XCTestCase {
    private func topology(_ text: String) throws -> ValidatedTopology {
        try Topology.parse(yaml: text, file: "t.yaml").validated()
    }

    func testMadeOnlyForUserSwitches() throws {
        let bridges = try topology("""
            hosts: {h1: {}, h2: {}}
            switches: {s1: {}}
            links: [[h1, s1], [s1, h2]]
            """)
        XCTAssertNil(UserSwitchService(bridges))
        XCTAssertNil(Network(bridges).userSwitches)
    }

    func testStatusBeforeStartAndAfterStop() throws {
        let t = try topology("""
            controller: remote,ip=127.0.0.1,port=6633
            hosts: {h1: {}, h2: {}}
            switches: {s1: {kind: user}, s2: {kind: user}, s3: {kind: user}}
            links: [[h1, s1], [s1, s2], [s2, s3], [s3, h2]]
            """)
        let s = try XCTUnwrap(UserSwitchService(t))
        XCTAssertEqual(s.name, "userswitch")
        XCTAssertEqual(s.status(), ServiceStatus(name: "userswitch", state: .idle, detail: "3 switches, controller tcp:127.0.0.1:6633"))
        XCTAssertEqual(s.controllerStatus().count, 0)
        XCTAssertThrowsError(try s.dumpFlows("s1")) { XCTAssertEqual("\($0)", "the network is not running") }
        s.stop()
        s.stop()
        XCTAssertEqual(s.status().state, .idle)

        let alone = try XCTUnwrap(UserSwitchService(try topology("""
            hosts: {h1: {}}
            switches: {s1: {kind: user}}
            links: [[h1, s1]]
            """)))
        XCTAssertEqual(alone.status().detail, "1 switch, no controller")
    }
}
