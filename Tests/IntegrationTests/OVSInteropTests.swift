import Foundation
import XCTest

/// The built-in controller, run alone as `swiftnet controller`, driving Open vSwitch 3.1's
/// userspace switches rather than swiftnet's own: Tests/Interop/ovs_builtin_controller.py
/// builds three netdev bridges in a triangle (a loop) with a host on each, in namespaces of
/// its own, and checks link discovery against `ovs-ofctl show`, pingall without a storm,
/// the device manager, the switch statistics OVS answers, the static flow pusher and a
/// reroute round a link taken down. Open vSwitch missing is a failure, never a skip.
final class OVSInteropTests: XCTestCase {
    static let script = CLI.packageRoot + "/Tests/Interop/ovs_builtin_controller.py"

    func testBuiltinControllerDrivesOpenVSwitch() throws {
        try requireRoot()
        try requireProgram("/usr/bin/python3", "python3")
        for (path, what) in [("/usr/sbin/ovs-vswitchd", "ovs-vswitchd (Debian's openvswitch-switch; make bench-deps installs it)"),
                             ("/usr/sbin/ovsdb-server", "ovsdb-server (Debian's openvswitch-switch)"),
                             ("/usr/bin/ovs-vsctl", "ovs-vsctl (Debian's openvswitch-common)"),
                             ("/usr/bin/ovs-ofctl", "ovs-ofctl (Debian's openvswitch-common)"),
                             ("/usr/bin/curl", "curl"), ("/usr/sbin/ethtool", "ethtool")] {
            try requireProgram(path, what)
        }
        guard FileManager.default.isExecutableFile(atPath: CLI.binary) else {
            throw MissingPrerequisite("\(CLI.binary) is not built (run `swift build` first)")
        }
        let before = try RootSnapshot.take()
        // The script stops itself (and cleans up) after --timeout; CLI.run's own timeout,
        // which kills it outright, is only a backstop.
        let r = try CLI.run([Self.script, "--swiftnet", CLI.binary, "--timeout", "240"], timeout: 360,
                            program: "/usr/bin/python3")
        let output = r.stdout + (r.stderr.isEmpty ? "" : "\n--- stderr\n" + r.stderr)
        XCTAssertEqual(r.status, 0, "ovs_builtin_controller.py exited with \(r.status):\n\(output)")
        XCTAssertTrue(r.stdout.contains(", 0 failed"), "no clean summary line:\n\(output)")
        for check in ["switches connected", "links", "pingall", "no broadcast storm", "devices", "desc stats from OVS",
                      "static flow blocks h1->h2", "static flow deleted", "reroute: h1 pings h2 via s3",
                      "root namespace as before", "no process left"] {
            XCTAssertTrue(r.stdout.contains("ok   \(check) "), "check '\(check)' did not pass:\n\(output)")
        }
        XCTAssertEqual(try RootSnapshot.take(), before, "the root namespace changed:\n\(output)")
    }
}
