import Foundation
import Swiftnet
import XCTest

/// The built-in controller on real namespaces: switch statistics asked over OpenFlow,
/// the static flow pusher, the web page's paths, and the issue's topologies (torus 4x4,
/// fat tree k=4) with user switches and no STP.
final class BuiltinControllerTests: XCTestCase {
    func userTopology(_ spec: String, name: String) throws -> Topology {
        var t = try Topology.builtin(spec)
        t.name = name
        for i in t.switches.indices { t.switches[i].kind = .user }
        t.controller = .builtinController
        return t
    }

    /// Floodlight's /wm/core/switch/... answers come from the switches (port counters move
    /// with traffic, the flows are the controller's), and a static entry that drops h1's
    /// packets to h2 on s1 works until it is deleted.
    func testSwitchStatisticsAndStaticFlowPusher() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        try withNetwork(try userTopology("linear,2", name: "sfp\(getpid())")) { net in
            XCTAssertTrue(net.pingAll().allReceived)
            let client = ControlClient(socketPath: try XCTUnwrap(net.controlSocket))
            func call(_ method: String, _ path: String, _ body: String? = nil, status: Int = 200) throws -> Any {
                let r = try client.request(method, path, json: body.map { Array($0.utf8) })
                XCTAssertEqual(r.status, status, "\(method) \(path): \(r.text)")
                return try JSONSerialization.jsonObject(with: Data(r.body))
            }
            let s1 = "00:00:00:00:00:00:00:01"
            let ports = try XCTUnwrap(try call("GET", "/wm/core/switch/\(s1)/port/json") as? [String: Any])
            let reply = try XCTUnwrap((ports["port_reply"] as? [[String: Any]])?.first?["port"] as? [[String: String]])
            let p1 = try XCTUnwrap(reply.first { $0["port_number"] == "1" }, "\(reply)")
            XCTAssertGreaterThan(Int(p1["receive_packets"] ?? "") ?? 0, 0, "h1's port saw the pings: \(p1)")
            let all = try XCTUnwrap(try call("GET", "/wm/core/switch/all/flow/json") as? [String: [String: [[String: Any]]]])
            XCTAssertEqual(Set(all.keys), [s1, "00:00:00:00:00:00:00:02"])
            let flows = try XCTUnwrap(all[s1]?["flows"])
            XCTAssertTrue(flows.contains { ($0["priority"] as? String) == "0" }, "the table-miss flow: \(flows)")
            XCTAssertTrue(flows.contains { (($0["match"] as? [String: String])?["eth_dst"]) != nil }, "forwarding's flows: \(flows)")
            let desc = try XCTUnwrap((try call("GET", "/wm/core/switch/1/desc/json") as? [String: [String: String]])?["desc"])
            XCTAssertFalse(desc["software_description"]?.isEmpty ?? true, "\(desc)")
            let aggregate = try XCTUnwrap((try call("GET", "/wm/core/switch/1/aggregate/json") as? [String: [String: String]])?["aggregate"])
            XCTAssertGreaterThan(Int(aggregate["flow_count"] ?? "") ?? 0, 0, "\(aggregate)")
            XCTAssertNotNil(try call("GET", "/wm/core/switch/1/features/json") as? [String: String])
            _ = try call("GET", "/wm/core/switch/1/nothing/json", status: 404)
            _ = try call("GET", "/wm/core/switch/9/port/json", status: 404)

            // An empty action list drops: h1 no longer reaches h2.
            let block = #"{"switch": "\#(s1)", "name": "block", "priority": "40000", "eth_type": "0x0800", "ipv4_dst": "10.0.0.2", "actions": ""}"#
            XCTAssertEqual((try call("POST", "/wm/staticflowpusher/json", block) as? [String: String])?["status"], "Entry pushed")
            XCTAssertFalse(try net.ping(from: "h1", to: "h2").received, "the static drop entry is in force")
            let list = try XCTUnwrap(try call("GET", "/wm/staticflowpusher/list/all/json") as? [String: [[String: Any]]])
            XCTAssertEqual(list[s1]?.first?.keys.first, "block", "\(list)")
            let dumped = try net.dumpFlows("s1")
            XCTAssertTrue(dumped.contains("priority=40000"), dumped)
            _ = try call("POST", "/wm/staticflowpusher/json", #"{"switch": "1", "name": "x", "no_such_field": "1"}"#, status: 400)
            _ = try call("POST", "/wm/staticflowpusher/json", "not json", status: 400)
            _ = try call("DELETE", "/wm/staticflowpusher/json", #"{"name": "block"}"#)
            _ = try call("DELETE", "/wm/staticflowpusher/json", #"{"name": "block"}"#, status: 404)
            XCTAssertTrue(try net.ping(from: "h1", to: "h2", timeout: 2).received, "the entry is gone")
            XCTAssertFalse(try net.dumpFlows("s1").contains("priority=40000"))

            // The link's latency is measured (LLDP send times); under the latency metric
            // the hosts still reach each other, and the role is ACTIVE.
            let links = try XCTUnwrap(try call("GET", "/wm/topology/links/json") as? [[String: Any]])
            XCTAssertEqual(links.count, 1, "\(links)")
            XCTAssertNotNil(links.first?["latency-us"] as? Int, "a measured latency: \(links)")
            XCTAssertEqual((try call("POST", "/wm/routing/metric/json", #"{"metric": "latency"}"#) as? [String: String])?["metric"], "latency")
            XCTAssertTrue(try net.ping(from: "h2", to: "h1", timeout: 2).received, "paths by latency")
            XCTAssertEqual((try call("GET", "/wm/core/role/json") as? [String: String])?["role"], "ACTIVE")

            // Floodlight 1.2's core information, as its dashboards read it: 2 switches, 2
            // hosts, one link counted once each way.
            let summary = try XCTUnwrap(try call("GET", "/wm/core/controller/summary/json") as? [String: Int])
            XCTAssertEqual(summary, ["# Switches": 2, "# hosts": 2, "# inter-switch links": 2, "# quarantine ports": 0])
            let memory = try XCTUnwrap(try call("GET", "/wm/core/memory/json") as? [String: Int])
            XCTAssertGreaterThan(memory["total"] ?? 0, memory["free"] ?? 0, "\(memory)")
            XCTAssertGreaterThan(memory["free"] ?? 0, 0, "\(memory)")
            XCTAssertGreaterThan(memory["process-resident"] ?? 0, 1_000_000, "\(memory)")
            XCTAssertEqual((try call("GET", "/wm/core/health/json") as? [String: Bool])?["healthy"], true)
            XCTAssertGreaterThan((try call("GET", "/wm/core/system/uptime/json") as? [String: Int])?["systemUptimeMsec"] ?? 0, 0)
            XCTAssertEqual((try call("GET", "/wm/core/version/json") as? [String: String])?["name"], "swiftnet")
            let loaded = try XCTUnwrap(try call("GET", "/wm/core/module/loaded/json") as? [String: [String: Any]])
            XCTAssertEqual(Set(loaded.keys), ["openflow-core", "link-discovery", "device-manager", "topology", "forwarding", "static-flow-pusher"])
            XCTAssertEqual((loaded["forwarding"]?["depends"] as? [String: String])?["topology"], "topology", "\(loaded)")
            XCTAssertEqual(loaded["forwarding"]?["loaded"] as? Bool, true)
            let available = try XCTUnwrap(try call("GET", "/wm/core/module/all/json") as? [String: [String: Any]])
            XCTAssertEqual(available["learning-switch"]?["loaded"] as? Bool, false, "\(available.keys.sorted())")
            _ = try call("POST", "/wm/core/health/json", "{}", status: 405)
            // The path as 0.9 to 1.1 served it is 1.2's.
            let route = try client.request("GET", "/wm/topology/route/1/1/2/1/json")
            XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(route.body)) as? [[String: Any]])?.count, 4, route.text)
            XCTAssertEqual(route.text, try client.request("GET", "/wm/routing/path/1/1/2/1/json").text)
            // A 0.9-era entry, as circuitpusher wrote them (0.9's path and field names):
            // ARP and IPv4 from h1's port out to s2, then deleted by name.
            let old = #"{"switch": "\#(s1)", "name": "\#(s1).c1.f", "src-ip": "10.0.0.1", "dst-ip": "10.0.0.2", "ether-type": "0x800", "cookie": "0", "priority": "32768", "ingress-port": "1", "active": "true", "actions": "output=2"}"#
            XCTAssertEqual((try call("POST", "/wm/staticflowentrypusher/json", old) as? [String: String])?["status"], "Entry pushed")
            let pushed = try net.dumpFlows("s1")
            XCTAssertTrue(pushed.contains("nw_dst=10.0.0.2"), pushed)
            _ = try call("DELETE", "/wm/staticflowentrypusher/json", #"{"name": "\#(s1).c1.f", "switch": "\#(s1)"}"#)
            XCTAssertFalse(try net.dumpFlows("s1").contains("nw_dst=10.0.0.2"))

            // clear: every entry of a switch.
            _ = try call("POST", "/wm/staticflowpusher/json", #"{"switch": "2", "name": "a", "in_port": "1", "actions": "output=2"}"#)
            _ = try call("GET", "/wm/staticflowpusher/clear/all/json")
            let empty = try XCTUnwrap(try call("GET", "/wm/staticflowpusher/list/all/json") as? [String: Any])
            XCTAssertTrue(empty.isEmpty, "\(empty)")

            // The web page and the names it labels nodes with.
            let page = try client.request("GET", "/ui/")
            XCTAssertEqual(page.status, 200)
            XCTAssertTrue(page.text.contains("<svg") || page.text.contains("svg"), String(page.text.prefix(200)))
            // Nothing fetched from elsewhere: the only absolute URL is SVG's namespace name.
            let urls = page.text.components(separatedBy: "http").dropFirst().map { String($0.prefix(30)) }
            XCTAssertTrue(urls.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg") }, "\(urls)")
            let names = try XCTUnwrap(try call("GET", "/ui/names.json") as? [String: [String: String]])
            XCTAssertEqual(names["switches"]?[s1], "s1")
            XCTAssertEqual(names["hosts_by_ip"]?["10.0.0.2"], "h2")
        }
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// The issue's topologies: a 4x4 torus (16 switches, 32 links, loops everywhere) and a
    /// k=4 fat tree (20 switches, 16 hosts) of user switches under the built-in controller:
    /// pingall loses nothing and no STP runs; the REST links match the topology.
    func testTorus4x4AndFatTreeK4WithoutSTP() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let torus = try CLI.run(["--topo", "torus,4,4", "--switch", "user", "--controller", "builtin", "--test", "pingall"], timeout: 300)
        XCTAssertEqual(torus.status, 0, torus.stdout + torus.stderr)
        XCTAssertTrue(torus.stdout.contains("*** Results: 0% dropped (240/240 received)"), torus.stdout + torus.stderr)
        XCTAssertFalse(torus.stdout.contains("STP"), torus.stdout)

        try withNetwork(try userTopology("torus,4,4", name: "t44\(getpid())")) { net in
            let client = ControlClient(socketPath: try XCTUnwrap(net.controlSocket))
            let r = try client.request("GET", "/wm/topology/links/json")
            let links = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.body)) as? [[String: Any]])
            XCTAssertEqual(links.count, 32, "a 4x4 torus has 32 switch links: \(r.text)")
            let c = try client.request("GET", "/wm/topology/switchclusters/json")
            let clusters = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(c.body)) as? [String: [String]])
            XCTAssertEqual(clusters.count, 1)
            XCTAssertEqual(clusters.values.first?.count, 16)
            // A tree of 16 switches has 15 of the 32 links: floods leave out both ends of
            // the other 17.
            let b = try client.request("GET", "/wm/topology/blockedports/json")
            XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(b.body)) as? [[String: String]])?.count, 34, b.text)
        }

        let fattree = CLI.packageRoot + "/Topologies/fattree.swift"
        let ft = try CLI.run(["--custom", fattree, "--topo", "fattree,4", "--switch", "user", "--controller", "builtin", "--test", "pingall"],
                             timeout: 600)
        XCTAssertEqual(ft.status, 0, ft.stdout + ft.stderr)
        XCTAssertTrue(ft.stdout.contains("*** Results: 0% dropped (240/240 received)"), ft.stdout + ft.stderr)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// A square of user switches whose link s1-s2 has 15 ms of delay each way (the user
    /// switch applies it itself): LLDP measures it, and the latency metric routes h1 to h4
    /// round by s3 where hop count (a tie, the lower datapath id) went by s2.
    func testLatencyMetricAvoidsADelayedLink() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let t = Topology("lat\(getpid())", controller: .builtinController) {
            Host("h1"); Host("h4")
            Switch("s1", kind: .user); Switch("s2", kind: .user); Switch("s3", kind: .user); Switch("s4", kind: .user)
            Link("h1", "s1"); Link("h4", "s4")
            Link("s1", "s2", delay: "15ms"); Link("s2", "s4"); Link("s1", "s3"); Link("s3", "s4")
        }
        try withNetwork(t) { net in
            let client = ControlClient(socketPath: try XCTUnwrap(net.controlSocket))
            func get(_ path: String) throws -> Any {
                let r = try client.request("GET", path)
                XCTAssertEqual(r.status, 200, r.text)
                return try JSONSerialization.jsonObject(with: Data(r.body))
            }
            func latencies() throws -> [String: Int] {
                var out: [String: Int] = [:]
                for l in try XCTUnwrap(try get("/wm/topology/links/json") as? [[String: Any]]) {
                    let a = (l["src-switch"] as? String ?? "").suffix(1), b = (l["dst-switch"] as? String ?? "").suffix(1)
                    out["s\(min(a, b))-s\(max(a, b))"] = l["latency-us"] as? Int
                }
                return out
            }
            // Every link measured, s1-s2 over 10 ms (LLDPs every 2 s; the median of five).
            let deadline = Date().addingTimeInterval(20)
            var seen: [String: Int] = [:]
            while Date() < deadline {
                seen = try latencies()
                if seen.count == 4 && (seen["s1-s2"] ?? 0) >= 10_000 && seen.filter({ $0.key != "s1-s2" }).values.allSatisfy({ $0 < 10_000 }) { break }
                usleep(250_000)
            }
            XCTAssertEqual(seen.count, 4, "\(seen)")
            XCTAssertGreaterThanOrEqual(seen["s1-s2"] ?? 0, 10_000, "the delayed link measured: \(seen)")
            for (link, us) in seen where link != "s1-s2" { XCTAssertLessThan(us, 10_000, "\(link): \(seen)") }

            let byHops = try XCTUnwrap(net.builtinController?.path(from: 1, inPort: 1, to: 4, outPort: 1))
            XCTAssertEqual(byHops.map(\.dpid), [1, 2, 4], "hop count: a tie, the lower datapath id")
            let slow = try net.ping(from: "h1", to: "h4", timeout: 2)
            XCTAssertTrue(slow.received)
            XCTAssertGreaterThanOrEqual(slow.rttMilliseconds ?? 0, 30, "by s2: 15 ms each way")

            let r = try client.request("POST", "/wm/routing/metric/json", json: Array(#"{"metric": "latency"}"#.utf8))
            XCTAssertEqual(r.status, 200, r.text)
            let byLatency = try XCTUnwrap(net.builtinController?.path(from: 1, inPort: 1, to: 4, outPort: 1))
            XCTAssertEqual(byLatency.map(\.dpid), [1, 3, 4], "round the delayed link")
            // Forwarding withdrew its flows: the next pings take the new path.
            _ = try net.ping(from: "h1", to: "h4", timeout: 2)
            let fast = try net.ping(from: "h1", to: "h4", timeout: 2)
            XCTAssertTrue(fast.received)
            XCTAssertLessThan(fast.rttMilliseconds ?? 100, 15, "by s3")
        }
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// Two user switches joined directly and also through a Linux bridge (not OpenFlow,
    /// so LLDP does not cross it): BDDP finds the link across the bridge, reported as an
    /// external link; the loop through the bridge does not storm, and the host on the
    /// bridge is reached and placed on the bridge's side.
    func testBDDPFindsALinkAcrossALinuxBridge() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let t = Topology("bd\(getpid())", controller: .builtinController) {
            Host("h1"); Host("h2"); Host("h3")
            Switch("s1", kind: .user); Switch("s2", kind: .user); Switch("b1")
            Link("h1", "s1"); Link("h2", "s2"); Link("h3", "b1")
            Link("s1", "s2"); Link("s1", "b1"); Link("s2", "b1")
        }
        try withNetwork(t) { net in
            let client = ControlClient(socketPath: try XCTUnwrap(net.controlSocket))
            func links(_ kind: String) throws -> [[String: Any]] {
                let r = try client.request("GET", "/wm/topology/\(kind)/json")
                return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.body)) as? [[String: Any]], r.text)
            }
            // BDDP goes every 2 s; the bridge may have held the first ones.
            let deadline = Date().addingTimeInterval(8)
            while try links("external-links").isEmpty && Date() < deadline { usleep(200_000) }
            let external = try links("external-links")
            XCTAssertEqual(external.count, 1, "\(external)")
            XCTAssertEqual(external.first?["type"] as? String, "external")
            XCTAssertEqual(external.first?["direction"] as? String, "bidirectional")
            XCTAssertEqual(Set([external.first?["src-switch"] as? String, external.first?["dst-switch"] as? String]),
                           ["00:00:00:00:00:00:00:01", "00:00:00:00:00:00:00:02"])
            XCTAssertEqual(try links("links").count, 1, "the direct link alone")
            // Floodlight's port lists: both ends face the bridge; floods use the lower of
            // the island's two ways into it, so s2's is blocked; all six ports are up.
            func ports(_ kind: String) throws -> [String] {
                try links(kind).map { "\($0["switch"] as? String ?? "?").\($0["port"] as? String ?? "?")" }
            }
            XCTAssertEqual(try ports("broadcastdomainports"), ["00:00:00:00:00:00:00:01.3", "00:00:00:00:00:00:00:02.3"])
            XCTAssertEqual(try ports("blockedports"), ["00:00:00:00:00:00:00:02.3"])
            let enabled = try ports("enabledports")
            XCTAssertEqual(enabled.count, 6, enabled.description)
            XCTAssertEqual(try links("tunnellinks").count, 0)
            for _ in 0..<2 {
                let r = net.pingAll()
                XCTAssertTrue(r.allReceived, "\(r)")
            }
            let d = try client.request("GET", "/wm/device/?ipv4=10.0.0.3")
            let devices = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(d.body)) as? [String: Any])?["devices"] as? [[String: Any]])
            let at = (devices.first?["attachmentPoint"] as? [[String: String]])?.first
            XCTAssertEqual(at?["port"], "3", "h3 is behind the bridge, on s1's or s2's third port: \(d.text)")
            let counters = try client.request("GET", "/wm/core/counter/link-discovery/json").text
            XCTAssertTrue(counters.contains("BDDPs received"), counters)
        }
        XCTAssertEqual(before, try RootSnapshot.take())
    }
}
