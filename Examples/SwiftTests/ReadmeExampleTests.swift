// The README's "As a Swift library" example, as a test: it must compile and do what the
// README says.
import Foundation
import Swiftnet
import XCTest

final class ReadmeExampleTests: XCTestCase {
    func testTheReadmeLibraryExample() throws {
        guard geteuid() == 0 else { throw NeedsRoot() }
        let topo = Topology("lab") {
            Switch("s1")
            for i in 1...3 {
                Host("h\(i)")
                Link("h\(i)", "s1")
            }
        }
        try Network.run(topo) { net in
            let h1 = net["h1"]!
            _ = try h1.cmd("cd /tmp; X=1")
            XCTAssertEqual(try h1.cmd("pwd; echo $X"), "/tmp\n1\n")
            let server = try net.node("h2").start(["python3", "-m", "http.server", "80"])
            let r = try h1.run(["ping", "-c1", "h2"])
            XCTAssertEqual(r.exitStatus, 0, r.stdout + r.stderr)
            let all = net.pingAll()
            XCTAssertEqual(all.received, 6)
            try net.setLink("h1", "s1", up: false)
            try net.addHost("h4"); try net.addLink("h4", "s1")
            XCTAssertEqual(try net.node("h4").cmd("ping -c1 -W2 h2 >/dev/null && echo ok"), "ok\n")
            XCTAssertTrue(server.isRunning)
            XCTAssertEqual(server.stop(), 128 + SIGTERM)
        }
    }
}
