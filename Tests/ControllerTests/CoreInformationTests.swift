import Controller
import Foundation
import OpenFlow
import XCTest

/// Floodlight 1.2's core information paths on a controller no switch has joined, and the
/// module lists of the two standard sets (forwarding, learning switch).
final class CoreInformationTests: XCTestCase {
    func get(_ c: BuiltinController, _ path: String) -> (status: Int, json: [String: Any]) {
        let answer = c.rest(method: "GET", parts: path.split(separator: "/", omittingEmptySubsequences: false).map(String.init))
        let object = answer.flatMap { try? JSONSerialization.jsonObject(with: Data($0.json)) } as? [String: Any]
        return (answer?.status ?? 0, object ?? [:])
    }

    func testSummaryHealthUptimeVersionAndMemory() throws {
        let c = try BuiltinController()
        defer { c.stop() }
        let summary = get(c, "core/controller/summary/json")
        XCTAssertEqual(summary.status, 200)
        XCTAssertEqual(summary.json as? [String: Int], ["# Switches": 0, "# hosts": 0, "# inter-switch links": 0, "# quarantine ports": 0])
        XCTAssertEqual(get(c, "core/health/json").json["healthy"] as? Bool, true)
        XCTAssertEqual(get(c, "core/version/json").json as? [String: String], ["name": "swiftnet", "version": swiftnetRelease])
        usleep(20_000)
        let uptime = try XCTUnwrap(get(c, "core/system/uptime/json").json["systemUptimeMsec"] as? Int)
        XCTAssertGreaterThanOrEqual(uptime, 20)
        XCTAssertLessThan(uptime, 60_000)
        let memory = get(c, "core/memory/json").json as? [String: Int] ?? [:]
        XCTAssertGreaterThan(memory["free"] ?? 0, 0, "\(memory)")
        XCTAssertGreaterThanOrEqual(memory["total"] ?? 0, memory["free"] ?? .max, "\(memory)")
        XCTAssertGreaterThan(memory["process-resident"] ?? 0, 0, "\(memory)")
        XCTAssertEqual(c.rest(method: "DELETE", parts: ["core", "version", "json"])?.status, 405)
        XCTAssertNil(c.rest(method: "GET", parts: ["core", "version"]), "not a path of Floodlight's")
    }

    func testModulesSayWhatTheyProvideAndDependOn() throws {
        let c = try BuiltinController()
        defer { c.stop() }
        let loaded = get(c, "core/module/loaded/json").json as? [String: [String: Any]] ?? [:]
        XCTAssertEqual(Set(loaded.keys), Set(c.moduleNames))
        XCTAssertEqual(loaded["forwarding"]?["depends"] as? [String: String],
                       ["openflow": "openflow-core", "topology": "topology", "devices": "device-manager"])
        XCTAssertEqual(loaded["openflow-core"]?["provides"] as? [String: String], ["openflow": "openflow-core"])
        XCTAssertEqual(loaded["openflow-core"]?["depends"] as? [String: String], [:])
        XCTAssertNil(loaded["learning-switch"])
        let all = get(c, "core/module/all/json").json as? [String: [String: Any]] ?? [:]
        XCTAssertEqual(all["learning-switch"]?["loaded"] as? Bool, false)
        XCTAssertEqual(all["forwarding"]?["loaded"] as? Bool, true)

        // The learning set: forwarding is there only in the list of all, and what it needs
        // that nothing loaded provides is unresolved.
        let learning = try BuiltinController(modules: BuiltinController.learningModules())
        defer { learning.stop() }
        let every = get(learning, "core/module/all/json").json as? [String: [String: Any]] ?? [:]
        XCTAssertEqual(every["forwarding"]?["loaded"] as? Bool, false)
        XCTAssertEqual((every["forwarding"]?["depends"] as? [String: String])?["topology"], "<unresolved>")
        XCTAssertEqual((every["forwarding"]?["depends"] as? [String: String])?["openflow"], "openflow-core")
    }
}
