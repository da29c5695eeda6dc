import XCTest
import Glibc
@testable import Swiftnet

/// The kernel's limits a topology must fit (`KernelLimits`), each refused before
/// anything is built with a message naming the node, the number and the way out.
final class KernelLimitsTests: XCTestCase {
    private func single(_ n: Int, kind: SwitchKind = .lxbr) throws -> Topology {
        var t = try Topology.builtin("single,\(n)")
        for i in t.switches.indices { t.switches[i].kind = kind }
        return t
    }

    func testALinuxBridgeTakes1023Ports() throws {
        XCTAssertEqual(try single(1023).validated().switches[0].interfaces.count, 1023)
        expectTopologyError({ try single(1024).validated() }, line: nil,
                            contains: ["switch 's1' has 1024 ports", "at most 1023", "BR_MAX_PORTS", "--switch user"])
        expectTopologyError({ try single(3000).validated() }, line: nil, contains: ["switch 's1' has 3000 ports"])
        // The userspace switch has no such limit.
        XCTAssertEqual(try single(1100, kind: .user).validated().switches[0].interfaces.count, 1100)
    }

    func testTheBridgePortLimitNamesTheLineInYAML() throws {
        let hosts = (1...1024).map { "  h\($0): {}" }.joined(separator: "\n")
        let links = (1...1024).map { "  - [h\($0), big]" }.joined(separator: "\n")
        let yaml = "hosts:\n\(hosts)\nswitches:\n  s1: {}\n  big: {}\nlinks:\n\(links)\n"
        expectTopologyError({ try Topology.parse(yaml: yaml, file: "big.yaml").validated() }, line: 1028, file: "big.yaml",
                            contains: ["switch 'big' has 1024 ports", "1023"])
    }

    func testEveryInterfaceNameFitsIFNAMSIZ() throws {
        func topo(host: String = "h1", switch s: String = "s1", kind: SwitchKind = .lxbr, links: Int = 1) -> Topology {
            Topology(name: "t", hosts: [HostSpec(name: host)], switches: [SwitchSpec(name: s, kind: kind, dpid: kind == .user ? 1 : nil)],
                     links: (0..<links).map { LinkSpec(host, s, location: SourceLocation(file: "m", line: $0 + 1)) })
        }
        // Host side: "h123456789-eth0" is 15 bytes, one more letter is 16.
        XCTAssertNoThrow(try topo(host: "h123456789").validated())
        expectTopologyError({ try topo(host: "h1234567890").validated() }, line: 1,
                            contains: ["'h1234567890-eth0' is 16 bytes", "Linux allows 15", "'h1234567890'"])
        // Switch side, for a bridge and for a user switch alike: the tenth port is the
        // first whose name ("sw12345678-eth10") is too long.
        for kind in SwitchKind.allCases {
            XCTAssertNoThrow(try topo(switch: "sw12345678", kind: kind, links: 9).validated(), "\(kind)")
            expectTopologyError({ try topo(switch: "sw12345678", kind: kind, links: 10).validated() }, line: 10,
                                contains: ["'sw12345678-eth10' is 16 bytes", "'sw12345678'"])
        }
    }

    func testABridgeIsAnInterfaceEvenWithoutPorts() throws {
        func topo(_ name: String, kind: SwitchKind) -> Topology {
            Topology(name: "t", hosts: [HostSpec(name: "h1"), HostSpec(name: "h2")],
                     switches: [SwitchSpec(name: "s1", kind: kind), SwitchSpec(name: name, kind: kind, dpid: kind == .user ? 9 : nil, location: SourceLocation(file: "m", line: 7))],
                     links: [LinkSpec("h1", "s1", location: nil), LinkSpec("h2", "s1", location: nil)])
        }
        XCTAssertNoThrow(try topo("abcdefghijklmno", kind: .lxbr).validated())
        expectTopologyError({ try topo("abcdefghijklmnop", kind: .lxbr).validated() }, line: 7,
                            contains: ["switch 'abcdefghijklmnop' is a Linux bridge", "16 bytes", "Linux allows 15", "kind user"])
        // A user switch is no kernel interface: its name may be longer.
        XCTAssertNoThrow(try topo("abcdefghijklmnop", kind: .user).validated())
    }

    func testOpenFilesCountHostsAndUserSwitchPorts() throws {
        // A namespace per host, at most 512 of their sockets at once, plus the fixed share.
        XCTAssertEqual(try single(100).validated().openFilesNeeded, 200 + KernelLimits.baseOpenFiles)
        XCTAssertEqual(try single(1000).validated().openFilesNeeded, 1512 + KernelLimits.baseOpenFiles)
        // One packet socket for every user-switch port, and a connection per switch to a controller.
        XCTAssertEqual(try single(1000, kind: .user).validated().openFilesNeeded, 1513 + KernelLimits.baseOpenFiles)
        var withController = try single(1000, kind: .user)
        withController.controller = ControllerSpec()
        XCTAssertEqual(try withController.validated().openFilesNeeded, 1514 + KernelLimits.baseOpenFiles)
    }

    func testMoreOpenFilesThanTheHardLimitAreRefused() throws {
        let needed = try single(1000, kind: .user).validated().openFilesNeeded
        XCTAssertNoThrow(try KernelLimits.checkOpenFiles(needed: needed, hardLimit: UInt64(needed)))
        XCTAssertThrowsError(try KernelLimits.checkOpenFiles(needed: needed, hardLimit: 1000)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("needs about \(needed) open files"), text)
            XCTAssertTrue(text.contains("at most 1000"), text)
            XCTAssertTrue(text.contains("ulimit -n \(needed)"), text)
        }
    }

    func testTheSoftFileLimitIsRaisedToWhatTheRunNeeds() throws {
        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved), 0)
        defer { var s = saved; _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &s) }
        let needed = try single(600, kind: .user).validated().openFilesNeeded
        guard saved.rlim_max >= rlim_t(needed) else {
            return XCTFail("the hard open-files limit \(saved.rlim_max) is below the \(needed) this test raises to: raise it (ulimit -Hn)")
        }
        var low = saved
        low.rlim_cur = 512
        XCTAssertEqual(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &low), 0)
        raiseFileLimit(to: UInt64(needed))
        var now = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &now), 0)
        XCTAssertEqual(now.rlim_cur, rlim_t(needed))
    }

    /// With CAP_SYS_RESOURCE the hard limit is raised too (as `ulimit -Hn` does); without
    /// it (root in many containers, and on this machine) the soft limit stops at the hard.
    func testTheHardFileLimitIsRaisedWhenThatIsAllowed() throws {
        guard geteuid() == 0 else { return XCTFail("run the tests as root") }
        // CAP_SYS_RESOURCE is bit 24 of the effective set.
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let eff = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("CapEff:") }?.split(separator: "\t").last)
        let mayRaise = (UInt64(eff, radix: 16) ?? 0) & (1 << 24) != 0
        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved), 0)
        defer { var s = saved; _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &s) }
        // Without the capability a lowered hard limit could not come back: only ask for
        // more than there is, and see it stop at the hard limit.
        if mayRaise {
            var low = saved
            low.rlim_cur = 512
            low.rlim_max = 4096
            XCTAssertEqual(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &low), 0)
        }
        let hard = mayRaise ? 4096 : saved.rlim_max
        raiseFileLimit(to: UInt64(hard) + 10_000)
        var now = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &now), 0)
        XCTAssertEqual(now.rlim_max, mayRaise ? hard + 10_000 : hard)
        XCTAssertEqual(now.rlim_cur, now.rlim_max)
    }

    func testRunNamesFitInFileNames() {
        for good in ["lab", "single-3", "a.b_c", String(repeating: "a", count: 64)] {
            XCTAssertTrue(Topology.isValidRunName(good), good)
        }
        for bad in ["", "a/b", "../x", ".hidden", String(repeating: "a", count: 65), "with space"] {
            XCTAssertFalse(Topology.isValidRunName(bad), bad)
        }
    }
}
