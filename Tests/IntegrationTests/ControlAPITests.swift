import Foundation
import Swiftnet
import XCTest

/// The control API of a running network, over its real Unix socket: what it lists, a
/// command in a node (whole and streamed), links down, up and reshaped, every kind of bad
/// request, hostile bytes, a user who is not root, and stop; then the commands that use it
/// from another terminal (`ls`, `exec`, `inspect`, `link`, `stop`).
final class ControlAPITests: FileTestCase {
    func testAPIOverTheSocket() throws {
        try withNetwork(star(3, name: "api")) { net in
            let socket = try XCTUnwrap(net.controlSocket)
            var st = stat()
            XCTAssertEqual(stat(socket, &st), 0)
            XCTAssertEqual(st.st_mode & 0o777, 0o600, "the socket is root's alone")
            XCTAssertEqual(st.st_uid, 0)
            let client = ControlClient(socketPath: socket)

            let info = try client.call("GET", "/v1/network", ControlNetworkInfo.self)
            XCTAssertEqual(info.name, "api")
            XCTAssertEqual(info.pid, getpid())
            XCTAssertEqual(info.nodes.map(\.name), ["h1", "h2", "h3", "s1"])
            XCTAssertEqual(info.links.map(\.aInterface), ["h1-eth0", "h2-eth0", "h3-eth0"])
            let h1 = try client.call("GET", "/v1/nodes/h1", ControlNode.self)
            XCTAssertEqual(h1.interfaces.map(\.name), ["h1-eth0"])
            XCTAssertEqual(h1.interfaces[0].addresses, ["10.0.0.1/8"])
            let mac = try net.interfaceList(of: "h1").first { $0.name == "h1-eth0" }!.mac
            XCTAssertEqual(h1.interfaces[0].mac, mac)
            XCTAssertTrue(h1.interfaces[0].up && h1.interfaces[0].carrier)
            let s1 = try client.call("GET", "/v1/nodes/s1", ControlNode.self)
            XCTAssertEqual(s1.switchKind, "lxbr")

            // A command, whole: output and exit status; in the node's namespace.
            let r = try client.call("POST", "/v1/nodes/h2/exec", ControlExecResult.self,
                                    body: ControlExecRequest(cmd: "cat /etc/hostname 2>/dev/null; hostname; ping -c1 -W2 h3 >/dev/null && echo reached; exit 4"))
            XCTAssertEqual(r.exit, 4)
            XCTAssertTrue(r.stdout?.contains("h2\n") == true, "\(r)")
            XCTAssertTrue(r.stdout?.contains("reached") == true, "\(r)")
            // Streamed: lines as they come, the result last.
            let lines = LineBox()
            let streamed = try client.request("POST", "/v1/nodes/h1/exec",
                                              json: ControlJSON.encode(ControlExecRequest(argv: ["sh", "-c", "echo one; sleep 0.2; echo two >&2"], stream: true))) {
                lines.add($0)
            }
            XCTAssertEqual(streamed.status, 200)
            let chunks = lines.all.compactMap { try? ControlJSON.decoder().decode(ControlExecChunk.self, from: Data($0)) }
            XCTAssertEqual(chunks.compactMap(\.stdout).joined(), "one\n")
            XCTAssertEqual(chunks.compactMap(\.stderr).joined(), "two\n")
            let last = try ControlJSON.decoder().decode(ControlExecResult.self, from: Data(try XCTUnwrap(lines.all.last)))
            XCTAssertEqual(last.exit, 0)
            // The node's persistent shell: the directory and variables stay between requests.
            _ = try client.call("POST", "/v1/nodes/h1/exec", ControlExecResult.self, body: ControlExecRequest(shell: "cd /tmp; V=7"))
            let kept = try client.call("POST", "/v1/nodes/h1/exec", ControlExecResult.self, body: ControlExecRequest(shell: "pwd; echo $V; false"))
            XCTAssertEqual(kept.stdout, "/tmp\n7\n")
            XCTAssertEqual(kept.exit, 1)
            XCTAssertEqual(try net.node("h1").cmd("echo $V"), "7\n", "the API and the library share the node's shell")
            XCTAssertEqual(try client.request("POST", "/v1/nodes/h1/exec", json: Array(#"{"shell": "pwd", "cmd": "pwd"}"#.utf8)).status, 400)
            // A timeout kills the command.
            let slow = try client.call("POST", "/v1/nodes/h1/exec", ControlExecResult.self, body: ControlExecRequest(argv: ["sleep", "30"], timeout: 0.3))
            XCTAssertTrue(slow.timedOut)

            // Links: down, up, reshaped.
            XCTAssertEqual(try client.request("POST", "/v1/links/h3/s1", json: Array(#"{"state": "down"}"#.utf8)).status, 200)
            XCTAssertFalse(try net.ping(from: "h1", to: "h3", timeout: 1).received)
            XCTAssertEqual(try client.call("GET", "/v1/nodes/h3", ControlNode.self).interfaces[0].up, false)
            XCTAssertEqual(try client.request("POST", "/v1/links/h3/s1", json: Array(#"{"state": "up"}"#.utf8)).status, 200)
            XCTAssertTrue(try net.ping(from: "h1", to: "h3", timeout: 2).received)
            XCTAssertEqual(try client.request("POST", "/v1/links/h1/s1", json: Array(#"{"bw": "5"}"#.utf8)).status, 200)
            let qdisc = try net.run(on: "h1", ["tc", "qdisc", "show", "dev", "h1-eth0"]).stdout
            XCTAssertTrue(qdisc.contains("htb") || qdisc.contains("tbf"), qdisc)

            // Bad requests: one message each, the right status.
            func expect(_ status: Int, _ method: String, _ path: String, _ body: String? = nil, saying words: String,
                        line: UInt = #line) throws {
                let r = try client.request(method, path, json: body.map { Array($0.utf8) })
                XCTAssertEqual(r.status, status, r.text, line: line)
                let e = try? ControlJSON.decoder().decode(ControlError.self, from: Data(r.body))
                XCTAssertTrue(e?.error.contains(words) == true, r.text, line: line)
            }
            try expect(404, "GET", "/v1/nodes/h9", saying: "no node named 'h9'")
            try expect(404, "POST", "/v1/nodes/nosuch/exec", #"{"argv": ["true"]}"#, saying: "no node named 'nosuch'")
            try expect(404, "GET", "/v2/anything", saying: "/v1")
            try expect(404, "GET", "/v1/nodes/h1/../../etc/passwd", saying: "no such endpoint")
            try expect(405, "DELETE", "/v1/network", saying: "takes GET")
            try expect(400, "POST", "/v1/nodes/h1/exec", "{not json", saying: "not the JSON")
            try expect(400, "POST", "/v1/nodes/h1/exec", #"{"argv": 5}"#, saying: "'argv' has the wrong type")
            try expect(400, "POST", "/v1/nodes/h1/exec", "{}", saying: "say what to run")
            try expect(400, "POST", "/v1/nodes/h1/exec", #"{"argv": ["nosuchprogram-x"]}"#, saying: "command not found")
            try expect(400, "POST", "/v1/nodes/h1/exec", #"{"argv": ["true"], "timeout": -1}"#, saying: "timeout")
            try expect(404, "POST", "/v1/links/h1/h2", #"{"state": "down"}"#, saying: "no link between 'h1' and 'h2'")
            try expect(400, "POST", "/v1/links/h1/s1", #"{"state": "sideways"}"#, saying: "give up or down")
            try expect(400, "POST", "/v1/links/h1/s1", #"{"bw": "fast"}"#, saying: "bw")
            try expect(409, "GET", "/v1/switches/s1/flows", saying: "Linux bridge")
            try expect(404, "GET", "/v1/switches/s9/ports", saying: "no switch named 's9'")
            try expect(413, "POST", "/v1/nodes/h1/exec", String(repeating: "x", count: ControlAPI.maxBody + 10), saying: "over")

            // Hostile bytes get a 400 or a closed connection, and the server carries on.
            let answer = String(decoding: try rawExchange(socket, Array("\u{0}\u{1}\u{2}\r\n\r\n".utf8)), as: UTF8.self)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400"), answer)
            for garbage in [ "GET /v1/network HTTP/9.9\r\nHost: \u{7f}\r\n\r\n", String(repeating: "A", count: 70_000) + "\r\n\r\n"] {
                _ = try? rawExchange(socket, Array(garbage.utf8))
            }
            XCTAssertEqual(try client.call("GET", "/v1/network", ControlNetworkInfo.self).name, "api")

            // Another user cannot connect at all.
            let nobody = try runProgram(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                         "/usr/bin/curl", "-sS", "--unix-socket", socket, "http://swiftnet/v1/network"], timeout: 10)
            XCTAssertNotEqual(nobody.status, 0, nobody.stdout)
            XCTAssertFalse(nobody.stdout.contains("h1"), nobody.stdout)
            // curl as root, as the README shows it.
            let curl = try runProgram(["/usr/bin/curl", "-sS", "--unix-socket", socket, "http://swiftnet/v1/nodes"], timeout: 10)
            XCTAssertTrue(curl.stdout.contains(#""name":"h1""#), curl.stdout)
        }
    }

    /// `POST /v1/stop` stops a library network (the owner gets no say by default).
    /// What the mininet package measures with: pingall (with a changed address), iperf,
    /// named interfaces on a runtime link, and a host's shell pid.
    func testPingAllIperfNamedLinksAndPid() throws {
        try withNetwork(star(3, name: "measure")) { net in
            let client = ControlClient(socketPath: try XCTUnwrap(net.controlSocket))
            let all = try client.call("POST", "/v1/pingall", ControlPingAllResult.self, body: ControlPingAllRequest())
            XCTAssertEqual(all.rows.map(\.source), ["h1", "h2", "h3"])
            XCTAssertEqual(all.sent, 6)
            XCTAssertEqual(all.received, 6)
            XCTAssertEqual(all.droppedPercent, 0)
            XCTAssertTrue(all.rows[0].rttMs.allSatisfy { $0 != nil })
            // h3 moved by a command: the topology's address no longer answers, the given one does.
            _ = try net.runInShell(of: "h3", "ip addr flush dev h3-eth0 && ip addr add 10.0.0.33/8 dev h3-eth0")
            var req = ControlPingAllRequest(hosts: ["h1", "h3"], timeout: 1)
            let stale = try client.call("POST", "/v1/pingall", ControlPingAllResult.self, body: req)
            XCTAssertEqual(stale.rows[0].received, [false], "h1 pings the address h3 no longer has")
            req.addresses = ["h3": "10.0.0.33"]
            let moved = try client.call("POST", "/v1/pingall", ControlPingAllResult.self, body: req)
            XCTAssertEqual(moved.received, 2)
            for (body, status) in [(#"{"hosts": ["h9"]}"#, 404), (#"{"timeout": 0}"#, 400), (#"{"addresses": {"h1": "x"}}"#, 400)] {
                let r = try client.request("POST", "/v1/pingall", json: Array(body.utf8))
                XCTAssertEqual(r.status, status, body)
            }
            let perf = try client.call("POST", "/v1/iperf", ControlIperfResult.self,
                                       body: ControlIperfRequest(client: "h1", server: "h2", seconds: 1))
            XCTAssertGreaterThan(perf.serverBps, 1e6)
            XCTAssertTrue(perf.server.hasSuffix("bits/sec"), perf.server)
            XCTAssertEqual(try client.request("POST", "/v1/iperf", json: Array(#"{"client": "h1", "server": "h9"}"#.utf8)).status, 404)

            XCTAssertEqual(try client.request("POST", "/v1/nodes", json: ControlJSON.encode(ControlAddNodeRequest(name: "r9"))).status, 201)
            var link = ControlAddLinkRequest(a: "r9", b: "s1")
            link.aInterface = "r9-eth7"
            link.bInterface = "s1-r9"
            let made = try client.request("POST", "/v1/links", json: ControlJSON.encode(link))
            XCTAssertEqual(made.status, 201)
            XCTAssertTrue(String(decoding: made.body, as: UTF8.self).contains(#""b_interface":"s1-r9""#))
            XCTAssertEqual(try net.interfaceList(of: "r9").map(\.name).filter { $0 != "lo" }, ["r9-eth7"])
            link.bInterface = nil
            XCTAssertEqual(try client.request("POST", "/v1/links", json: ControlJSON.encode(link)).status, 400)
            let pid = try XCTUnwrap(try client.call("GET", "/v1/nodes/h1/pid", [String: Int32].self)["pid"])
            XCTAssertEqual(try String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), "bash\n")
        }
    }

    func testStopThroughTheAPI() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let net = Network(try star(2, name: "apistop").validated())
        try net.start()
        let socket = try XCTUnwrap(net.controlSocket)
        XCTAssertEqual(try ControlClient(socketPath: socket).request("POST", "/v1/stop").status, 200)
        XCTAssertTrue(eventually(5) { !net.isRunning && access(socket, F_OK) != 0 }, "the network did not stop")
        net.stop()
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// The commands, from "another terminal", against `swiftnet run FILE.yaml`.
    func testCommandsFromAnotherTerminal() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let file = try write("remote.yaml", """
            name: remote\(getpid())
            switches: {s1: {}, s2: {}}
            hosts: {h1: {}, h2: {}}
            links: [[h1, s1], [s1, s2], [s2, h2]]
            """)
        let name = "remote\(getpid())"
        let (p, out) = try CLI.start(["run", file], waitFor: "Network is up")
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }

        let ls = try CLI.run(["ls"])
        XCTAssertEqual(ls.status, 0, ls.stderr)
        XCTAssertTrue(ls.stdout.contains(name) && ls.stdout.contains("\(p.processIdentifier)"), ls.stdout)
        let lsJSON = try CLI.run(["ls", "--json"])
        XCTAssertTrue(lsJSON.stdout.contains(#""nodes":"4""#), lsJSON.stdout)

        let exec = try CLI.run(["exec", name, "h1", "--", "ping", "-c1", "-W2", "h2"])
        XCTAssertEqual(exec.status, 0, exec.stdout + exec.stderr)
        XCTAssertTrue(exec.stdout.contains("1 received"), exec.stdout)
        let status = try CLI.run(["exec", name, "h2", "--", "echo to-err >&2; exit 7"])
        XCTAssertEqual(status.status, 7)
        XCTAssertEqual(status.stderr, "to-err\n")
        // --shell: the node's persistent shell, kept between commands of other terminals.
        XCTAssertEqual(try CLI.run(["exec", "--shell", name, "h2", "--", "cd", "/tmp"]).status, 0)
        let pwd = try CLI.run(["exec", "--shell", name, "h2", "--", "pwd; exit 5"])
        XCTAssertEqual(pwd.stdout, "/tmp\n")
        XCTAssertEqual(pwd.status, 5)
        let unknown = try CLI.run(["exec", name, "h9", "--", "true"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("no node named 'h9'"), unknown.stderr)
        let noRun = try CLI.run(["exec", "nosuchrun", "h1", "--", "true"])
        XCTAssertEqual(noRun.status, 2)
        XCTAssertTrue(noRun.stderr.contains("no running network named 'nosuchrun'"), noRun.stderr)

        let inspect = try CLI.run(["inspect", name])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("h1-eth0") && inspect.stdout.contains("10.0.0.1/8") && inspect.stdout.contains("s1-eth2"), inspect.stdout)
        let inspectJSON = try CLI.run(["inspect", name, "--json"])
        XCTAssertTrue(inspectJSON.stdout.contains(#""name":"h2""#), inspectJSON.stdout)

        XCTAssertEqual(try CLI.run(["link", name, "s1", "s2", "down"]).status, 0)
        XCTAssertEqual(try CLI.run(["exec", name, "h1", "--", "ping", "-c1", "-W1", "h2"]).status, 1)
        XCTAssertEqual(try CLI.run(["link", name, "s1", "s2", "up"]).status, 0)
        XCTAssertEqual(try CLI.run(["exec", name, "h1", "--", "ping", "-c1", "-W2", "h2"]).status, 0)
        let badLink = try CLI.run(["link", name, "h1", "h2", "down"])
        XCTAssertEqual(badLink.status, 2)
        XCTAssertTrue(badLink.stderr.contains("no link between 'h1' and 'h2'"), badLink.stderr)

        let stop = try CLI.run(["stop", name])
        XCTAssertEqual(stop.status, 0, stop.stderr)
        XCTAssertTrue(eventually(10) { !p.isRunning }, "the run did not end")
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, readRest(out))
        XCTAssertTrue(try CLI.run(["ls"]).stdout.contains("No running networks"))
        XCTAssertEqual(before, try RootSnapshot.take())
    }
}

/// Lines a streamed response delivered, from the client's event loop thread.
final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [[UInt8]] = []
    func add(_ line: [UInt8]) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [[UInt8]] { lock.lock(); defer { lock.unlock() }; return lines }
}

/// Writes raw bytes to a Unix socket and reads what comes back until it closes (2 s at most).
func rawExchange(_ path: String, _ bytes: [UInt8]) throws -> [UInt8] {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw MissingPrerequisite("socket: \(errno)") }
    defer { close(fd) }
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &addr.sun_path) { raw in
        for (i, b) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
    }
    let ok = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard ok == 0 else { throw MissingPrerequisite("connect \(path): \(errno)") }
    var tv = timeval(tv_sec: 2, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buf, buf.count, 0)
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return out
}
