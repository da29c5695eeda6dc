import XCTest
@testable import Swiftnet

/// One duration parser, one meaning: a unit is required (a bare 0 aside), for link delay
/// and jitter and for experiment steps, whichever way the text comes in.
final class DurationTests: XCTestCase {
    func testTheParser() {
        XCTAssertEqual(parseDuration("500ms"), .milliseconds(500))
        XCTAssertEqual(parseDuration("30s"), .seconds(30))
        XCTAssertEqual(parseDuration("1.5s"), .milliseconds(1500))
        XCTAssertEqual(parseDuration("2m"), .seconds(120))
        XCTAssertEqual(parseDuration("1h"), .seconds(3600))
        XCTAssertEqual(parseDuration("100us"), .microseconds(100))
        XCTAssertEqual(parseDuration("100µs"), .microseconds(100))
        XCTAssertEqual(parseDuration(".5ms"), .microseconds(500))
        XCTAssertEqual(parseDuration(" 5ms "), .milliseconds(5))
        XCTAssertEqual(parseDuration("0"), .zero)
        XCTAssertEqual(parseDuration("0ms"), .zero)
        for bad in ["30", "5", "0.5", "fast", "-1s", "2d", "ms", "", "5 ms", "1.2.3s", "1e3ms", "infs", "5MS", "+5ms"] {
            XCTAssertNil(parseDuration(bad), bad)
        }
        XCTAssertEqual(formatDuration(.milliseconds(500)), "500ms")
        XCTAssertEqual(formatDuration(.milliseconds(1500)), "1.5s")
        XCTAssertEqual(formatDuration(.seconds(30)), "30s")
    }

    /// The link delay a text gives through each way in: `--link tc,delay=`, the shell's
    /// `link h1 s1 delay=` words, YAML `delay:`, the DSL's `delay:`; nil when refused
    /// (with the refusal's message).
    private func linkDelays(_ text: String) -> [String: Result<Int?, TopologyError>] {
        func run(_ body: () throws -> Int?) -> Result<Int?, TopologyError> {
            do { return .success(try body()) } catch let e as TopologyError { return .failure(e) } catch {
                return .failure(TopologyError("\(error)"))
            }
        }
        func validated(_ t: Topology) throws -> Int? { try t.validated().links[0].shaping?.delayMicroseconds }
        let pair = [HostSpec(name: "h1"), HostSpec(name: "h2")]
        return [
            "--link": run {
                var t = Topology(name: "t", hosts: pair, links: [LinkSpec("h1", "h2", location: nil)])
                t.links[0].params = try LinkParams.parse(option: "tc,delay=\(text)")
                return try validated(t)
            },
            "shell": run { try LinkParams.parse(option: "delay=\(text)").shaping(for: "link h1-h2")?.delayMicroseconds },
            "yaml": run { try validated(Topology.parse(yaml: "hosts: {h1: {}, h2: {}}\nlinks:\n  - {endpoints: [h1, h2], delay: \(text)}\n", file: "d.yaml")) },
            "dsl": run { try validated(Topology("t") { Host("h1"); Host("h2"); Link("h1", "h2", delay: text) }) },
        ]
    }

    func testLinkDelayMeansTheSameEverywhere() {
        for (text, micros) in [("5ms", 5000), ("1.5s", 1_500_000), ("100us", 100), ("0", 0)] {
            for (way, result) in linkDelays(text) {
                XCTAssertEqual(try? result.get(), micros, "\(way) \(text): \(result)")
            }
        }
        for text in ["10", "-1ms", "fast"] {
            for (way, result) in linkDelays(text) {
                guard case .failure(let e) = result else { XCTFail("\(way) took delay \(text): \(result)"); continue }
                XCTAssertTrue(e.message.contains("delay '\(text)': write a number with a unit (us, ms, s, m or h)"), "\(way): \(e)")
            }
        }
    }

    func testStepDurationsReadTheSameText() throws {
        func steps(_ text: String) throws -> [ExperimentStep] {
            try Topology.parse(yaml: """
                hosts: {h1: {}, h2: {}}
                links: [[h1, h2]]
                experiment:
                  - sleep: \(text)
                  - ping: {from: h1, to: h2, within: \(text)}
                  - converge: {timeout: \(text)}
                """, file: "e.yaml").experiment
        }
        for (text, d) in [("5ms", Duration.milliseconds(5)), ("1.5s", .milliseconds(1500)), ("100us", .microseconds(100)), ("0", .zero)] {
            let s = try steps(text)
            XCTAssertEqual(s[0].action, .sleep(d), text)
            XCTAssertEqual(s[1].within, d, text)
            XCTAssertEqual(s[2].within, d, text)
            // The same text on a link gives the same time.
            XCTAssertEqual(try linkDelays(text)["yaml"]?.get().map(Int64.init), microseconds(d), text)
        }
        for text in ["10", "-1ms", "fast", "25h"] {
            expectTopologyError({ try steps(text) }, line: 4, file: "e.yaml", contains: ["'sleep' needs a number with a unit (us, ms, s, m or h)"])
        }
        expectTopologyError({ try Topology.parse(yaml: "experiment:\n  - ping: {from: h1, to: h2, within: 10}\n", file: "e.yaml") },
                            line: 2, contains: ["'within' needs a number with a unit"])
        expectTopologyError({ try Topology.parse(yaml: "experiment:\n  - converge: {timeout: 10}\n", file: "e.yaml") },
                            line: 2, contains: ["'timeout' needs a number with a unit"])
    }
}
