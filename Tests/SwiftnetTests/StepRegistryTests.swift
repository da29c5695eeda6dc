import Foundation
import XCTest
@testable import Swiftnet

/// The experiment step kinds come from `StepRegistry`: parsing, validation, the error
/// messages that list kinds and keys, and the JSON form all go through it.
final class StepRegistryTests: XCTestCase {
    /// Hosts h1, h2, h3, switch s1 and routers r1, r2, as `StepKind.example` assumes.
    private let base = """
        autoaddress: true
        routers: {r1: {}, r2: {}}
        hosts: {h1: {}, h2: {}, h3: {}}
        switches: {s1: {}}
        links: [[h1, s1], [h2, s1], [r1, s1], [r1, r2], [r2, h3]]
        experiment:

        """
    // The first step is on line 7.

    func testEveryRegisteredKindParsesFromItsExample() throws {
        XCTAssertFalse(StepRegistry.kinds.isEmpty)
        XCTAssertEqual(Set(StepRegistry.keywords).count, StepRegistry.kinds.count, "each keyword once")
        for kind in StepRegistry.kinds {
            let t = try Topology.parse(yaml: base + "  - \(kind.example)\n", file: "k.yaml").validated()
            XCTAssertEqual(t.experiment.count, 1, kind.keyword)
            let step = try XCTUnwrap(t.experiment.first)
            XCTAssertEqual(step.action.kind, kind.keyword)
            XCTAssertEqual(step.action.isCheck, kind.isCheck, kind.keyword)
            XCTAssertTrue(type(of: step.action.step) == kind, kind.keyword)
            XCTAssertEqual(step.location, SourceLocation(file: "k.yaml", line: 7), kind.keyword)
            XCTAssertTrue(step.title.hasPrefix(kind.keyword), "\(kind.keyword): \(step.title)")
            // The JSON form (how Swift scripts hand their topology over) keeps the step.
            let decoded = try JSONDecoder().decode(ExperimentStep.self, from: JSONEncoder().encode(step))
            XCTAssertEqual(decoded, step, kind.keyword)
        }
    }

    func testUnknownKindListsEveryRegisteredKind() {
        let error = expectTopologyError({ try Topology.parse(yaml: base + "  - nosuchkind: {}\n", file: "k.yaml") },
                                        line: 7, file: "k.yaml", contains: ["unknown kind 'nosuchkind'"])
        XCTAssertTrue(error?.message.contains("the allowed keys are \(StepRegistry.keywords.joined(separator: ", "))") == true,
                      error?.message ?? "")
        for keyword in StepRegistry.keywords {
            XCTAssertTrue(error?.message.contains(keyword) == true, keyword)
        }
        let shape = expectTopologyError({ try Topology.parse(yaml: base + "  - [ping]\n", file: "k.yaml") },
                                        line: 7, file: "k.yaml", contains: ["one step kind"])
        XCTAssertTrue(shape?.message.contains("the kinds are \(StepRegistry.keywords.joined(separator: ", "))") == true,
                      shape?.message ?? "")
    }

    func testUnknownKeyListsTheKindsOwnKeys() {
        for kind in StepRegistry.kinds {
            guard let keys = kind.keys else { continue }
            expectTopologyError({ try Topology.parse(yaml: base + "  - \(kind.keyword): {nosuchkey: 1}\n", file: "k.yaml") },
                                line: 7, file: "k.yaml",
                                contains: ["step '\(kind.keyword)' has unknown key 'nosuchkey'", "the allowed keys are \(keys.joined(separator: ", "))"])
        }
    }

    func testSwiftFactoriesMakeTheRegisteredKinds() {
        let actions: [ExperimentAction] = [
            .start(on: "h1", command: "true", waitForPort: nil), .ping(from: "h1", to: "h2", expectSuccess: true),
            .tcp(from: "h1", to: "h2", port: 80, expectSuccess: true), .http(from: "h1", url: "http://h2/", expectStatus: 200, expectBody: nil),
            .resolve(on: "h1", name: "h2", expect: .anyAddress), .dig(on: "h1", server: "embedded", name: "h2", type: "A", expect: .anyAddress),
            .run(on: "h1", command: "true", expectOutput: nil, expectExit: 0), .link(a: "h1", b: "s1", up: false),
            .sleep(.milliseconds(1)), .route(on: "r1", to: "h2", expectVia: nil, expectDev: nil, expectUnreachable: false),
            .path(from: "h1", to: "h3", expect: .blackhole), .traceroute(from: "h1", to: "h3", expect: []), .converge,
        ]
        // A new kind need not have a factory: these are the kinds that had enum cases.
        XCTAssertEqual(Set(actions.map(\.kind)).count, actions.count)
        for a in actions {
            XCTAssertTrue(StepRegistry.kind(named: a.kind).map { type(of: a.step) == $0 } == true, a.kind)
        }
        XCTAssertEqual(actions.map(\.title).first, "start on h1: true")
        XCTAssertNotEqual(ExperimentAction.ping(from: "h1", to: "h2", expectSuccess: true), .ping(from: "h1", to: "h2", expectSuccess: false))
        XCTAssertNotEqual(ExperimentAction.converge, .sleep(.zero))
    }
}
