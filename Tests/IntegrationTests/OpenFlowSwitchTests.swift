import Foundation
import Glibc
import Swiftnet
import XCTest

/// A controller process the test starts on a port of its own, and kills by its pid.
final class ControllerProcess {
    let process = Process()
    let port: Int
    let log: String
    /// Files the controller makes that go with it (ovs-testcontroller's unixctl socket).
    var ownFiles: [String] = []

    /// A free TCP port on 127.0.0.1 (bound once to port 0, then released).
    static func freePort() -> Int {
        let (fd, port) = boundSocket()
        close(fd)
        return port
    }

    /// A TCP socket bound to a free port of 127.0.0.1, and the port.
    static func boundSocket() -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return (fd, Int(UInt16(bigEndian: a.sin_port)))
    }

    static let oskenManager = "/opt/swiftnet-venv/bin/osken-manager"
    static let testController = "/usr/bin/ovs-testcontroller"
    static var l2App: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Controllers/l2_learning.py").path
    }

    /// os-ken with the tests' L2 learning app (OpenFlow 1.3).
    static func osken(port: Int? = nil) throws -> ControllerProcess {
        try requireProgram(oskenManager, "os-ken (make controllers installs it)")
        let p = port ?? freePort()
        return try ControllerProcess(port: p, executable: oskenManager,
                                     arguments: ["--ofp-listen-host", "127.0.0.1", "--ofp-tcp-listen-port", "\(p)", l2App])
    }

    /// Open vSwitch's test controller, a learning switch, speaking OpenFlow 1.0.
    static func ovsTestController(port: Int? = nil) throws -> ControllerProcess {
        try requireProgram(testController, "ovs-testcontroller (make deps installs openvswitch-testcontroller)")
        let p = port ?? freePort()
        let ctl = NSTemporaryDirectory() + "swiftnet-tc-\(getpid())-\(p).ctl"
        let c = try ControllerProcess(port: p, executable: testController,
                                      arguments: ["-O", "OpenFlow10", "--unixctl=\(ctl)", "ptcp:\(p):127.0.0.1"])
        c.ownFiles = [ctl]
        return c
    }

    init(port: Int, executable: String, arguments: [String]) throws {
        self.port = port
        log = NSTemporaryDirectory() + "swiftnet-controller-\(getpid())-\(port).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = FileHandle(forWritingAtPath: log)!
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if Self.listening(port) { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        stop()
        throw NSError(domain: "controller", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(executable) did not listen on \(port): \(output)"])
    }

    static func listening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = UInt16(port).bigEndian
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Kills the controller (SIGKILL by default: as if it crashed) and waits for it.
    func stop(signal: Int32 = SIGKILL) {
        if process.isRunning {
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        for f in [log] + ownFiles { try? FileManager.default.removeItem(atPath: f) }
    }
}

/// The user switch under real OpenFlow controllers: Open vSwitch's test controller
/// (OpenFlow 1.0) and os-ken with a small learning-switch app (OpenFlow 1.3).
final class OpenFlowSwitchTests: XCTestCase {
    func userTopology(_ name: String, controller: ControllerProcess, failMode: FailMode? = nil,
                      protocols: [OpenFlowProtocol]? = nil) throws -> Topology {
        var t = try Topology.builtin(name)
        t.name = "of\(getpid())"
        for i in t.switches.indices {
            t.switches[i].kind = .user
            t.switches[i].failMode = failMode
            t.switches[i].protocols = protocols
        }
        t.controller = ControllerSpec(host: "127.0.0.1", port: controller.port)
        return t
    }

    func ping(_ net: Network, _ a: String, _ b: String, timeout: Int = 2) throws -> Bool {
        let ip = net.topology.host(b)!.ip.address
        return try net.run(on: a, ["ping", "-n", "-c", "1", "-W", "\(timeout)", "\(ip)"], timeout: .seconds(timeout + 5)).exitStatus == 0
    }

    func waitConnected(_ net: Network, seconds: Double = 12) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let s = net.controllerStatus()
            if !s.isEmpty && s.allSatisfy(\.connected) { return true }
            usleep(50_000)
        }
        return false
    }

    func testOVSTestControllerOpenFlow10PingallTree() throws {
        try requireRoot()
        let c = try ControllerProcess.ovsTestController()
        try withNetwork(try userTopology("tree,2,2", controller: c)) { net in
            XCTAssertTrue(waitConnected(net), "\(net.controllerStatus())")
            XCTAssertTrue(net.controllerStatus().allSatisfy { $0.detail == "connected (OpenFlow 1.0)" }, "\(net.controllerStatus())")
            let r = net.pingAll()
            XCTAssertTrue(r.allReceived, "\(r.received)/\(r.sent)")
            // The controller installed flows; they carry the traffic.
            XCTAssertGreaterThan(try net.flowCount("s1"), 0)
            let flows = try net.dumpFlows("s2")
            XCTAssertTrue(flows.contains("actions=output:"), flows)
        }
    }

    func testOSKenOpenFlow13PingallAndTCP() throws {
        try requireRoot()
        let c = try ControllerProcess.osken()
        try withNetwork(try userTopology("tree,2,2", controller: c)) { net in
            XCTAssertTrue(waitConnected(net), "\(net.controllerStatus()) \(c.output)")
            XCTAssertTrue(net.controllerStatus().allSatisfy { $0.detail == "connected (OpenFlow 1.3)" }, "\(net.controllerStatus())")
            let r = net.pingAll()
            XCTAssertTrue(r.allReceived, "\(r.received)/\(r.sent): \(c.output)")
            let flows = try net.dumpFlows("s1")
            XCTAssertTrue(flows.contains("priority=0 actions=CONTROLLER:65535"), flows)
            XCTAssertTrue(flows.contains("priority=1,in_port="), flows)
            // TCP with the hosts' default offloads, through three switches.
            let offloads = try net.run(on: "h1", ["ethtool", "-k", "h1-eth0"]).stdout
            XCTAssertTrue(offloads.contains("tcp-segmentation-offload: on"), offloads)
            let t = try net.iperf(client: "h1", server: "h4", seconds: 2)
            XCTAssertGreaterThan(t.serverBitsPerSecond, 2e8, "TCP through the OpenFlow switches")
            let ports = try net.dumpPorts("s1")
            XCTAssertTrue(ports.contains("port  1: rx pkts="), ports)
            XCTAssertTrue(c.output.contains("switch 0000000000000001 connected"), c.output)
            // os-ken's flows match in_port and addresses alone: the kernel forwarded the
            // transfer, and its counts are on the flow entries the controller sees.
            func numbers(after label: String, in text: String) -> [Int] {
                text.components(separatedBy: label).dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
            }
            let kernel = try net.dumpKernelFlows("s1")
            XCTAssertGreaterThan(numbers(after: "packets:", in: kernel).reduce(0, +), 300, kernel)
            let counted = try net.dumpFlows("s1")
            XCTAssertGreaterThan(numbers(after: "n_packets=", in: counted).max() ?? 0, 300, counted)
        }
    }

    /// Secure mode: with the controller gone, installed flows still forward and new flows
    /// are dropped; the switch reconnects when the controller is back.
    func testControllerKilledSecureKeepsFlowsAndReconnects() throws {
        try requireRoot()
        var c: ControllerProcess? = try ControllerProcess.osken()
        let port = c!.port
        try withNetwork(try userTopology("single,3", controller: c!, failMode: .secure)) { net in
            XCTAssertTrue(waitConnected(net))
            XCTAssertTrue(try ping(net, "h1", "h2"))
            c!.stop()
            c = nil
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline && net.controllerStatus().contains(where: \.connected) { usleep(20_000) }
            XCTAssertFalse(net.controllerStatus().contains(where: \.connected), "the switch noticed the controller died")
            XCTAssertTrue(try ping(net, "h1", "h2"), "installed flows keep forwarding in secure mode")
            XCTAssertFalse(try ping(net, "h1", "h3", timeout: 1), "a new flow has nobody to ask in secure mode")
            c = try ControllerProcess.osken(port: port)
            XCTAssertTrue(waitConnected(net), "the switch reconnects when the controller is back")
            XCTAssertTrue(try ping(net, "h1", "h3"))
        }
    }

    /// Standalone mode: with the controller gone, the switch learns MACs itself.
    func testControllerKilledStandaloneLearns() throws {
        try requireRoot()
        let c = try ControllerProcess.osken()
        try withNetwork(try userTopology("single,3", controller: c, failMode: .standalone)) { net in
            XCTAssertTrue(waitConnected(net))
            XCTAssertTrue(try ping(net, "h1", "h2"))
            c.stop()
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline && net.controllerStatus().contains(where: \.connected) { usleep(20_000) }
            XCTAssertTrue(try ping(net, "h1", "h3"), "standalone falls back to MAC learning")
        }
    }

    /// `switch s1 stop` cuts the switch off; `start` brings it back, reconnected.
    func testSwitchStopAndStart() throws {
        try requireRoot()
        let c = try ControllerProcess.osken()
        try withNetwork(try userTopology("single,2", controller: c)) { net in
            XCTAssertTrue(waitConnected(net))
            XCTAssertTrue(try ping(net, "h1", "h2"))
            try net.setSwitch("s1", running: false)
            XCTAssertEqual(try net.flowCount("s1"), 0)
            XCTAssertFalse(try ping(net, "h1", "h2", timeout: 1))
            try net.setSwitch("s1", running: true)
            XCTAssertTrue(waitConnected(net))
            XCTAssertTrue(try ping(net, "h1", "h2"))
        }
    }

    /// With no controller listening, the build does not hang: it waits its time, says so,
    /// and a secure switch forwards nothing.
    func testNoControllerListeningSecureDropsEverything() throws {
        try requireRoot()
        var t = try Topology.builtin("single,2")
        t.name = "of\(getpid())"
        t.switches[0].kind = .user
        t.controller = ControllerSpec(host: "127.0.0.1", port: ControllerProcess.freePort())
        var o = NetworkOptions()
        o.controllerWait = .milliseconds(500)
        try withNetwork(t, options: o) { net in
            XCTAssertEqual(net.controllerStatus().map(\.connected), [false])
            XCTAssertFalse(try ping(net, "h1", "h2", timeout: 1))
        }
    }

    func testCLIWithRemoteController() throws {
        try requireRoot()
        let c = try ControllerProcess.ovsTestController()
        let r = try CLI.run(["--topo", "linear,3", "--switch", "user,protocols=OpenFlow10", "--controller", "remote,ip=127.0.0.1,port=\(c.port)", "--test", "pingall"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("*** Adding controller"), r.stdout)
        XCTAssertTrue(r.stdout.contains("s1 connected (OpenFlow 1.0)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (6/6 received)"), r.stdout)
    }

    func testCLIRefusesBadControllerAndSwitchSettings() throws {
        try requireRoot()
        for (args, words) in [
            (["--topo", "single,2", "--switch", "user", "--controller", "remote,port=99999"], "port"),
            (["--topo", "single,2", "--controller", "remote"], "only user switches"),
            (["--topo", "linear,2", "--switch", "user,dpid=5"], "dpid"),
            (["--topo", "single,2", "--switch", "user,failmode=open"], "failmode"),
            (["--topo", "single,2", "--switch", "user,protocols=OpenFlow15"], "OpenFlow15"),
            (["--topo", "single,2", "--switch", "user", "--controller", "pox"], "unknown controller"),
        ] {
            let before = try RootSnapshot.take()
            let r = try CLI.run(args + ["--test", "build"])
            XCTAssertEqual(r.status, 2, "\(args): \(r.stdout) \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(words), "\(args): \(r.stderr)")
            XCTAssertEqual(before, try RootSnapshot.take())
        }
    }

    func testShellDpctl() throws {
        try requireRoot()
        let c = try ControllerProcess.osken()
        let script = NSTemporaryDirectory() + "swiftnet-dpctl-\(getpid()).txt"
        try "pingall\ndpctl dump-flows\ndpctl dump-ports s1\nswitch s1 stop\npingall 1\nswitch s1 start\nsh sleep 1\npingall\ndpctl dump-flows s9\n"
            .write(toFile: script, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let r = try CLI.run(["--topo", "single,2", "--switch", "user", "--controller", "remote,port=\(c.port)"], stdin: script)
        XCTAssertTrue(r.stdout.contains("*** s1 ---"), r.stdout)
        XCTAssertTrue(r.stdout.contains("priority=0 actions=CONTROLLER:65535"), r.stdout)
        XCTAssertTrue(r.stdout.contains("OFPST_PORT reply: 2 ports"), r.stdout)
        let results = r.stdout.split(separator: "\n").filter { $0.hasPrefix("*** Results:") }
        XCTAssertEqual(results.count, 3, r.stdout)
        if results.count == 3 {
            XCTAssertTrue(results[0].contains("0% dropped"), r.stdout)
            XCTAssertTrue(results[1].contains("100% dropped"), r.stdout)
            XCTAssertTrue(results[2].contains("0% dropped"), r.stdout)
        }
        XCTAssertTrue(r.stderr.contains("no switch 's9'"), r.stderr)
    }

    /// `--controller builtin`: swiftnet's own controller (OpenFlow core, link discovery,
    /// devices, topology, shortest-path forwarding) drives the user switches: pingall, the flows it installed, its
    /// modules and counters in the shell; a torus without STP.
    func testBuiltinControllerPingallFlowsAndShell() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let r = try CLI.run(["--topo", "tree,2,2", "--switch", "user", "--controller", "builtin", "--test", "pingall"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("c0 (builtin"), r.stdout)
        XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (12/12 received)"), r.stdout)

        let script = NSTemporaryDirectory() + "swiftnet-builtin-\(getpid()).txt"
        try "pingall\ncontroller\ndpctl dump-flows s1\npingall\ndpctl dump-dp-flows s1\n".write(toFile: script, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let shell = try CLI.run(["--topo", "single,3", "--switch", "user", "--controller", "builtin"], stdin: script)
        XCTAssertTrue(shell.stdout.contains("*** Results: 0% dropped (6/6 received)"), shell.stdout + shell.stderr)
        XCTAssertTrue(shell.stdout.contains("modules, in load order: openflow-core, link-discovery, device-manager, topology, forwarding"), shell.stdout)
        XCTAssertTrue(shell.stdout.contains("switches connected=1"), shell.stdout)
        XCTAssertTrue(shell.stdout.contains("flow-mods="), shell.stdout)
        XCTAssertTrue(shell.stdout.contains("priority=0 actions=CONTROLLER:65535"), shell.stdout)
        XCTAssertTrue(shell.stdout.contains("priority=100,in_port="), shell.stdout)
        // Its flows match in_port and addresses alone: the kernel forwards them. A flow-mod
        // takes the switch's kernel entries back, and the last of the first pingall's may
        // land after its last reply: the second pingall, on flows already set up (idle
        // timeout 5 s), makes the entries the dump shows.
        XCTAssertFalse(shell.stdout.contains("kernel fast path: 0 flows"), shell.stdout)

        // Loops need no STP: floods follow the controller's broadcast tree.
        let torus = try CLI.run(["--topo", "torus,3,3", "--switch", "user", "--controller", "builtin", "--test", "pingall"])
        XCTAssertEqual(torus.status, 0, torus.stdout + torus.stderr)
        XCTAssertTrue(torus.stdout.contains("*** Results: 0% dropped (72/72 received)"), torus.stdout)
        XCTAssertFalse(torus.stdout.contains("STP"), torus.stdout)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// Floodlight's REST paths over the control socket: the switches, links, cluster and
    /// devices the built-in controller knows match the topology (tree,2,2: 3 switches,
    /// 2 links, 4 hosts on the leaves), and a path between two leaves crosses the root.
    func testBuiltinControllerAnswersFloodlightsREST() throws {
        try requireRoot()
        var t = try Topology.builtin("tree,2,2")
        t.name = "fl\(getpid())"
        for i in t.switches.indices { t.switches[i].kind = .user }
        t.controller = .builtinController
        try withNetwork(t) { net in
            XCTAssertTrue(net.pingAll().allReceived)
            let client = ControlClient(socketPath: try XCTUnwrap(net.controlSocket))
            func get(_ path: String) throws -> Any {
                let r = try client.request("GET", path)
                XCTAssertEqual(r.status, 200, "\(path): \(r.text)")
                return try JSONSerialization.jsonObject(with: Data(r.body))
            }
            let switches = try XCTUnwrap(try get("/wm/core/controller/switches/json") as? [[String: Any]])
            XCTAssertEqual(switches.compactMap { $0["switchDPID"] as? String }.sorted(),
                           ["00:00:00:00:00:00:00:01", "00:00:00:00:00:00:00:02", "00:00:00:00:00:00:00:03"])
            XCTAssertTrue(switches.allSatisfy { $0["openFlowVersion"] as? String == "OF_13" }, "\(switches)")
            let links = try XCTUnwrap(try get("/wm/topology/links/json") as? [[String: Any]])
            let pairs = Set(links.map { l in [l["src-switch"] as? String ?? "", l["dst-switch"] as? String ?? ""].sorted().joined(separator: "-") })
            XCTAssertEqual(pairs, ["00:00:00:00:00:00:00:01-00:00:00:00:00:00:00:02", "00:00:00:00:00:00:00:01-00:00:00:00:00:00:00:03"])
            XCTAssertTrue(links.allSatisfy { $0["direction"] as? String == "bidirectional" }, "\(links)")
            XCTAssertEqual((try get("/wm/topology/directed-links/json") as? [Any])?.count, 4)
            let clusters = try XCTUnwrap(try get("/wm/topology/switchclusters/json") as? [String: [String]])
            XCTAssertEqual(clusters.values.first?.count, 3, "\(clusters)")
            let devices = try XCTUnwrap((try get("/wm/device/") as? [String: Any])?["devices"] as? [[String: Any]])
            XCTAssertEqual(devices.count, 4, "\(devices)")
            let h1mac = try XCTUnwrap(try net.interfaceList(of: "h1").first { $0.name == "h1-eth0" }?.mac)
            let h1 = try XCTUnwrap((try get("/wm/device/?mac=\(h1mac)") as? [String: Any])?["devices"] as? [[String: Any]])
            XCTAssertEqual(h1.count, 1, "\(h1)")
            let at = (h1.first?["attachmentPoint"] as? [[String: Any]])?.first
            XCTAssertEqual(at?["switch"] as? String, "00:00:00:00:00:00:00:02", "h1 hangs off s2")
            XCTAssertEqual(at?["port"] as? String, "1")
            XCTAssertEqual((h1.first?["ipv4"] as? [String]), ["10.0.0.1"])
            let path = try XCTUnwrap(try get("/wm/routing/path/2/1/3/1/json") as? [[String: Any]])
            XCTAssertEqual(path.compactMap { $0["switch"] as? String }, ["00:00:00:00:00:00:00:02", "00:00:00:00:00:00:00:02",
                                                                        "00:00:00:00:00:00:00:01", "00:00:00:00:00:00:00:01",
                                                                        "00:00:00:00:00:00:00:03", "00:00:00:00:00:00:00:03"])
            let counters = try XCTUnwrap(try get("/wm/core/counter/all/json") as? [String: [String: Int]])
            XCTAssertGreaterThan(counters["link-discovery"]?["LLDPs received"] ?? 0, 0, "\(counters)")
            XCTAssertGreaterThan(counters["forwarding"]?["path computations"] ?? 0, 0, "\(counters)")
            XCTAssertEqual(try client.request("GET", "/wm/nothing/json").status, 404)
            XCTAssertEqual(try client.request("POST", "/wm/topology/links/json").status, 405)
        }
    }

    /// `--rest-port`: Floodlight's paths over TCP on 127.0.0.1, as Floodlight-era scripts
    /// reach them with curl; the control API's /v1 paths (which run commands as root) are
    /// not served there. A port that is not a port is refused before anything is built.
    func testFloodlightRESTOverTCPServesOnlyWm() throws {
        try requireRoot()
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        let port = Int(UInt16(bigEndian: a.sin_port))
        close(s)
        let script = NSTemporaryDirectory() + "swiftnet-rest-\(getpid()).txt"
        try ("pingall\nsh curl -s http://127.0.0.1:\(port)/wm/topology/links/json; echo\n"
             + "sh curl -s -o /dev/null -w 'v1=%{http_code}\\n' http://127.0.0.1:\(port)/v1/network\n"
             + "sh curl -s -o /dev/null -w 'post=%{http_code}\\n' -d '{\"cmd\":\"id\"}' http://127.0.0.1:\(port)/v1/nodes/h1/exec\n")
            .write(toFile: script, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let r = try CLI.run(["--topo", "linear,2", "--switch", "user", "--controller", "builtin", "--rest-port", "\(port)"], stdin: script)
        XCTAssertTrue(r.stdout.contains("\"src-switch\":\"00:00:00:00:00:00:00:01\""), r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("v1=404"), r.stdout)
        XCTAssertTrue(r.stdout.contains("post=404"), r.stdout)
        let bad = try CLI.run(["--topo", "linear,2", "--switch", "user", "--controller", "builtin", "--rest-port", "70000", "--test", "none"])
        XCTAssertEqual(bad.status, 2, bad.stdout + bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--rest-port 70000 is not a TCP port"), bad.stderr)
    }

    /// The built-in controller moves traffic off a link that goes down: h1x1 and h1x2 sit
    /// on neighbouring switches of a torus; with their link down they still reach each
    /// other (another path), and the controller counted the change.
    func testBuiltinControllerReroutesAroundADownedLink() throws {
        try requireRoot()
        let script = NSTemporaryDirectory() + "swiftnet-reroute-\(getpid()).txt"
        try "h1x1 ping -c 2 -W 2 h1x2\npath h1x1 h1x2\nlink s1x1 s1x2 down\nsh sleep 1\nh1x1 ping -c 3 -W 2 h1x2\npath h1x1 h1x2\ncontroller\n"
            .write(toFile: script, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let r = try CLI.run(["--topo", "torus,3,3", "--switch", "user", "--controller", "builtin"], stdin: script)
        let summaries = r.stdout.split(separator: "\n").filter { $0.contains("packets transmitted") }
        XCTAssertEqual(summaries.count, 2, r.stdout + r.stderr)
        if summaries.count == 2 {
            XCTAssertTrue(summaries[0].contains("2 received"), r.stdout)
            XCTAssertTrue(summaries[1].contains("3 received"), r.stdout)
        }
        // The shell's path: straight across first, the long way round once the link is down.
        let paths = r.stdout.split(separator: "\n").filter { $0.hasPrefix("controller's path: ") }
        XCTAssertEqual(paths.count, 2, r.stdout)
        if paths.count == 2 {
            // One "(in -> out)" per switch.
            XCTAssertEqual(paths[0].filter { $0 == "(" }.count, 2, "s1x1 and s1x2: \(paths[0])")
            XCTAssertTrue(paths[0].contains("h1x1 -> s1x1 ") && paths[0].hasSuffix("-> h1x2"), "\(paths[0])")
            XCTAssertGreaterThan(paths[1].filter { $0 == "(" }.count, 2, "\(paths[1])")
        }
        XCTAssertTrue(r.stdout.contains("links down="), r.stdout)
        XCTAssertTrue(r.stdout.contains("flow withdrawals="), r.stdout)
    }

    /// A loop under a controller that only learns and floods (ovs-testcontroller): the
    /// first ARP broadcast circles the torus for ever. The switch keeps running and the
    /// network still tears down completely; loops are the controller's job.
    func testLoopUnderAFloodingControllerStormsButTearsDown() throws {
        try requireRoot()
        let c = try ControllerProcess.ovsTestController()
        let t = try userTopology("torus,3,3", controller: c)
        try withNetwork(t) { net in
            XCTAssertTrue(waitConnected(net))
            _ = try ping(net, "h1x1", "h2x2", timeout: 1)
            usleep(300_000)
            // Frames the switches sent: far more than one ping and its ARP could make.
            let ports = try net.dumpPorts("s1x1")
            let sent = ports.split(separator: "\n").compactMap { line -> Int? in
                guard let r = line.range(of: "tx pkts=") else { return nil }
                return Int(line[r.upperBound...].prefix { $0.isNumber })
            }.reduce(0, +)
            XCTAssertGreaterThan(sent, 1000, "a broadcast storm: \(ports)")
        }
    }
}
