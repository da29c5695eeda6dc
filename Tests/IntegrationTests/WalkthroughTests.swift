import Foundation
import XCTest

/// Mininet's walkthrough, typed as a Mininet user types it, into swiftnet started as
/// `mn`: Tests/Walkthrough/walkthrough.py drives it with pexpect (Debian's python3-pexpect).
final class WalkthroughTests: FileTestCase {
    func testTheWalkthroughAsMn() throws {
        try requireRoot()
        try requireProgram("/usr/bin/python3", "python3")
        let mn = dir + "/mn"
        try FileManager.default.createSymbolicLink(atPath: mn, withDestinationPath: CLI.binary)
        let before = try RootSnapshot.take()
        let r = try CLI.run([CLI.packageRoot + "/Tests/Walkthrough/walkthrough.py", mn,
                             CLI.packageRoot + "/Tests/Walkthrough/topo-2sw-2host.py"],
                            timeout: 600, program: "/usr/bin/python3")
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("0 failed"), r.stdout + r.stderr)
        for step in ["usage", "display_startup_options", "host_commands", "test_connectivity", "simple_web_server",
                     "regression_tests", "changing_topology", "link_variations", "adjustable_verbosity", "custom_topologies",
                     "id_equals_mac", "other_switch_types", "mininet_benchmark", "everything_in_its_own_namespace",
                     "python_interpreter", "link_up_down"] {
            XCTAssertTrue(r.stdout.contains("ok \(step)\n"), "\(step): \(r.stdout)")
        }
        XCTAssertEqual(try RootSnapshot.take(), before)
    }
}
