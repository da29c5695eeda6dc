import XCTest
@testable import Swiftnet

/// Yes-or-no settings: one parser (`parseBool`) for YAML and the command line.
final class BooleanTests: XCTestCase {
    private func yaml(_ text: String) throws -> Topology {
        try Topology.parse(yaml: text, file: "b.yaml")
    }

    /// One reading of yes and no for YAML's settings and the command line's use_tbf=.
    func testBooleansReadTheSameEverywhere() throws {
        for (text, value) in [("true", true), ("True", true), ("yes", true), ("on", true), ("1", true),
                              ("false", false), ("FALSE", false), ("no", false), ("off", false), ("0", false)] {
            XCTAssertEqual(parseBool(text), value, text)
            XCTAssertEqual(try yaml("switches:\n  s1: {stp: \(text)}\n").switches[0].stp, value, "stp: \(text)")
            XCTAssertEqual(try yaml("hosts: {h1: }\nswitches: {s1: }\nlinks:\n  - {endpoints: [h1, s1], use_tbf: \(text)}\n").links[0].params.useTBF,
                           value, "use_tbf: \(text)")
            XCTAssertEqual(try yaml("autoaddress: \(text)\n").autoAddress, value, "autoaddress: \(text)")
            XCTAssertEqual(try LinkParams.parse(option: "tc,use_tbf=\(text)").useTBF, value, "use_tbf=\(text)")
        }
        for bad in ["2", "maybe", "y", ""] {
            XCTAssertNil(parseBool(bad), bad)
            XCTAssertThrowsError(try LinkParams.parse(option: "tc,use_tbf=\(bad)"), bad)
        }
    }
}
