import Controller
import XCTest

/// A module that only declares; it records when it was initialised and started.
final class Probe: ControllerModule {
    let name: String
    let provides: [ServiceName]
    let needs: [ServiceName]
    let log: Log
    final class Log { var events: [String] = [] }

    init(_ name: String, provides: [ServiceName] = [], needs: [ServiceName] = [], log: Log) {
        self.name = name
        self.provides = provides
        self.needs = needs
        self.log = log
    }

    func initialise(_ context: ModuleContext) throws { log.events.append("init \(name)") }
    func start(_ context: ModuleContext) throws { log.events.append("start \(name)") }
}

final class ModuleLoaderTests: XCTestCase {
    func testProvidersComeFirstAndEveryModuleIsInitialisedBeforeAnyStarts() throws {
        let log = Probe.Log()
        // Listed in the wrong order on purpose: forwarding needs topology needs links needs openflow.
        let modules = [
            Probe("forwarding", provides: ["forwarding"], needs: ["topology", "devices"], log: log),
            Probe("topology", provides: ["topology"], needs: ["links"], log: log),
            Probe("devices", provides: ["devices"], needs: ["openflow"], log: log),
            Probe("links", provides: ["links"], needs: ["openflow"], log: log),
            Probe("core", provides: ["openflow"], log: log),
        ]
        let context = try ModuleLoader.load(modules)
        XCTAssertEqual(context.modules.map(\.name), ["core", "devices", "links", "topology", "forwarding"])
        XCTAssertEqual(log.events, ["init core", "init devices", "init links", "init topology", "init forwarding",
                                    "start core", "start devices", "start links", "start topology", "start forwarding"])
        XCTAssertTrue(context.service("topology", as: Probe.self) === modules[1])
    }

    func testACycleIsRefusedNamingItsModulesAndServices() {
        let log = Probe.Log()
        let modules = [
            Probe("core", provides: ["openflow"], log: log),
            Probe("a", provides: ["x"], needs: ["openflow", "y"], log: log),
            Probe("b", provides: ["y"], needs: ["z"], log: log),
            Probe("c", provides: ["z"], needs: ["x"], log: log),
        ]
        XCTAssertThrowsError(try ModuleLoader.order(modules)) { e in
            let m = (e as? ModuleError)?.message ?? "\(e)"
            XCTAssertTrue(m.hasPrefix("the modules' needs form a cycle: "), m)
            XCTAssertTrue(m.contains("'a' needs 'y' of 'b'"), m)
            XCTAssertTrue(m.contains("'b' needs 'z' of 'c'"), m)
            XCTAssertTrue(m.contains("'c' needs 'x' of 'a'"), m)
        }
        XCTAssertTrue(log.events.isEmpty, "nothing initialised")
    }

    func testAMissingOrTwiceProvidedServiceIsRefused() {
        let log = Probe.Log()
        XCTAssertThrowsError(try ModuleLoader.order([Probe("fwd", needs: ["topology"], log: log)])) { e in
            XCTAssertEqual((e as? ModuleError)?.message,
                           "module 'fwd' needs the service 'topology', which no module provides (provided: none)")
        }
        XCTAssertThrowsError(try ModuleLoader.order([Probe("a", provides: ["s"], log: log), Probe("b", provides: ["s"], log: log)])) { e in
            XCTAssertEqual((e as? ModuleError)?.message, "modules 'a' and 'b' both provide the service 's'")
        }
    }
}
