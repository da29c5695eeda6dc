// An example of using swiftnet from a Swift project's own test suite: build a small
// network with the DSL, start a real server in it, check reachability and DNS, and tear
// everything down. Run as root (`sudo swift test`); without root the test is skipped.
import Foundation
import Swiftnet
import XCTest

final class LabTests: XCTestCase {
    /// h1 and h2 on one switch, a web server on another, and a name for it.
    let lab = Topology("example-lab", domain: "lab.test") {
        Host("h1", dns: DNSSettings(options: [DNSOption("ndots", "2")]))
        Host("h2")
        Host("web", ip: "10.0.0.80/8")
        Switch("s1")
        Switch("s2")
        Link("h1", "s1")
        Link("h2", "s1")
        Link("web", "s2")
        Link("s1", "s2")
        Record("www.lab.test", "10.0.0.80")
    }

    func testWebServerIsReachableByName() async throws {
        // Building namespaces needs root; `make test` runs as root, so this is a failure.
        guard geteuid() == 0 else { throw NeedsRoot() }
        let net = Network(try lab.validated())
        try net.start()
        defer { net.stop() }

        try await net.expectPing(from: "h1", to: "web")
        try await net.expectResolve(on: "h1", "web", is: "10.0.0.80")
        try await net.expectResolve(on: "h2", "www", is: "10.0.0.80")
        try await net.expectNXDOMAIN(on: "h1", "nosuch")

        try net.startBackground(on: "web", ["python3", "-m", "http.server", "80"])
        try await net.expectTCP(from: "h2", to: "web", port: 80, within: .seconds(10))
        try await net.expectHTTP(from: "h1", url: "http://www.lab.test/", status: 200)

        // Break the link between the switches: web is cut off, and says so.
        try net.setLink("s1", "s2", up: false)
        try await net.expectPing(from: "h1", to: "web", succeeds: false)
        try net.setLink("s1", "s2", up: true)
        try await net.expectHTTP(from: "h1", url: "http://web/", within: .seconds(5))
    }
}

/// Thrown (a test failure, not a skip) when the tests run without root.
struct NeedsRoot: Error, CustomStringConvertible {
    var description: String { "building namespaces needs root: run the tests as root (make test)" }
}
