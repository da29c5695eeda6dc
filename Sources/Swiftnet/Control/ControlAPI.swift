import Foundation
import Glibc

/// Where a handler's answer goes: one whole JSON document, or a stream of NDJSON lines.
/// The HTTP server writes to a connection; tests collect in memory.
public protocol ControlResponder: Sendable {
    /// Sends a whole response.
    func respond(status: Int, json: [UInt8])
    /// Sends a whole response that is not JSON (the web page).
    func respond(status: Int, contentType: String, body: [UInt8])
    /// Starts a streamed response (`application/x-ndjson`).
    func begin(status: Int)
    /// Sends one line of a streamed response (without its newline).
    func line(_ json: [UInt8])
    /// Ends a streamed response.
    func end()
    /// True once the client has gone; a streamed command then stops.
    var isClosed: Bool { get }
}

/// The control API of a running network: HTTP+JSON, served on the run's Unix socket by
/// `ControlServer`. Routing and handlers live here, apart from HTTP, so they can be
/// tested in-process.
///
/// | method and path | what it does |
/// |---|---|
/// | `GET /v1/network` | the run: name, pid, start time, nodes, links |
/// | `GET /v1/nodes` | every node: name, kind, address |
/// | `POST /v1/nodes` | adds a host or switch to the running network (`ControlAddNodeRequest`) |
/// | `GET /v1/nodes/NODE` | a node with its interfaces (MAC, state, addresses) |
/// | `GET /v1/nodes/NODE/pid` | the pid of the node's persistent bash (started if need be) |
/// | `POST /v1/nodes/NODE/exec` | runs a command in the node (`ControlExecRequest`) |
/// | `GET /v1/nodes/NODE/output` | streams what the node's shell prints between commands |
/// | `GET /v1/links` | every link and its interfaces |
/// | `POST /v1/links` | adds a link (`ControlAddLinkRequest`) |
/// | `POST /v1/links/A/B` | sets the link up or down, or reshapes it (`ControlLinkRequest`) |
/// | `GET /v1/switches/SWITCH/flows`, `.../ports` | a user switch's flow table or ports |
/// | `POST /v1/pingall` | every host pings every other (`ControlPingAllRequest`) |
/// | `POST /v1/iperf` | iperf3 throughput between two hosts (`ControlIperfRequest`) |
/// | `POST /v1/stop` | stops the run |
public extension ControlResponder {
    func respond(status: Int, contentType: String, body: [UInt8]) { respond(status: status, json: body) }
}

public final class ControlAPI: Sendable {
    let net: Network
    let socketPath: String
    let started: Double
    /// What `POST /v1/stop` does: the owner's clean stop (the command line's SIGTERM path).
    let requestStop: @Sendable () -> Void

    init(net: Network, socketPath: String, requestStop: @escaping @Sendable () -> Void) {
        self.net = net
        self.socketPath = socketPath
        self.started = Date().timeIntervalSince1970
        self.requestStop = requestStop
    }

    /// Largest request body accepted (a command line, a few parameters).
    public static let maxBody = 1 << 20

    /// Answers one request. Blocking work (a command) runs on the caller's thread.
    public func handle(method: String, path: String, body: [UInt8], responder: ControlResponder) {
        do {
            try route(method: method, path: path, body: body, responder: responder)
        } catch let e as ControlError {
            responder.respond(status: e.status, json: ControlJSON.encode(e))
        } catch {
            responder.respond(status: 500, json: ControlJSON.encode(ControlError(500, "\(error)")))
        }
    }

    func route(method: String, path: String, body: [UInt8], responder: ControlResponder) throws {
        let clean = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        let parts = clean.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        if parts.first == "wm" || parts.first == "ui" {
            floodlight(method: method, path: path, responder: responder, body: body)
            return
        }
        guard parts.first == "v1" else { throw ControlError(404, "no such endpoint '\(clean)': the API's paths start with /v1 (try GET /v1/network)") }
        func ok<T: Encodable>(_ value: T) { responder.respond(status: 200, json: ControlJSON.encode(value)) }
        func only(_ allowed: String) throws {
            if method != allowed { throw ControlError(405, "\(method) \(clean): this endpoint takes \(allowed)") }
        }
        switch Array(parts.dropFirst()) {
        case ["network"]:
            try only("GET")
            ok(networkInfo())
        case ["nodes"] where method == "POST":
            responder.respond(status: 201, json: ControlJSON.encode(try addNode(body)))
        case ["nodes"]:
            try only("GET")
            ok(nodeSummaries())
        case let p where p.count == 2 && p[0] == "nodes":
            try only("GET")
            ok(try node(p[1]))
        case let p where p.count == 3 && p[0] == "nodes" && p[2] == "pid":
            try only("GET")
            ok(["pid": try shellPID(p[1])])
        case let p where p.count == 3 && p[0] == "nodes" && p[2] == "output":
            try only("GET")
            try idleOutput(of: p[1], responder: responder)
        case let p where p.count == 3 && p[0] == "nodes" && p[2] == "exec":
            try only("POST")
            try exec(on: p[1], body: body, responder: responder)
        case ["links"] where method == "POST":
            responder.respond(status: 201, json: ControlJSON.encode(try addLink(body)))
        case ["links"]:
            try only("GET")
            ok(links())
        case let p where p.count == 3 && p[0] == "links":
            try only("POST")
            try setLink(p[1], p[2], body: body)
            ok(["ok": true])
        case let p where p.count == 3 && p[0] == "switches" && ["flows", "ports", "datapath-flows"].contains(p[2]):
            try only("GET")
            ok(try switchTable(p[1], p[2]))
        case ["pingall"]:
            try only("POST")
            ok(try pingAll(body, isCancelled: { responder.isClosed }))
        case ["iperf"]:
            try only("POST")
            ok(try iperf(body, isCancelled: { responder.isClosed }))
        case ["stop"]:
            try only("POST")
            ok(["stopping": true])
            requestStop()
        default:
            throw ControlError(404, "no such endpoint '\(clean)' (see GET /v1/network, /v1/nodes, /v1/links)")
        }
    }

    /// Mininet's `node.pid`: the node's persistent bash, which this starts when it has none.
    func shellPID(_ name: String) throws -> Int32 {
        _ = try requireNode(name)
        do { return try net.node(name).pid } catch { throw ControlError(409, "\(name): \(error)") }
    }

    func kind(of name: String) -> String? {
        if let h = net.topology.host(name) { return h.kind.rawValue }
        return net.topology.switches.contains { $0.name == name } ? "switch" : nil
    }

    func networkInfo() -> ControlNetworkInfo {
        ControlNetworkInfo(name: net.name, pid: getpid(), started: started, socket: socketPath,
                           nodes: nodeSummaries(), links: links())
    }

    func nodeSummaries() -> [ControlNodeSummary] {
        net.topology.hosts.map { ControlNodeSummary(name: $0.name, kind: $0.kind.rawValue, ip: $0.ip.description) }
            + net.topology.switches.map { ControlNodeSummary(name: $0.name, kind: "switch", ip: nil) }
    }

    func links() -> [ControlLink] {
        net.topology.links.map { ControlLink(a: $0.a.node, b: $0.b.node, aInterface: $0.a.interface, bInterface: $0.b.interface) }
    }

    func requireNode(_ name: String) throws -> String {
        guard let k = kind(of: name) else {
            throw ControlError(404, "no node named '\(name)' in run '\(net.name)' (nodes: \(net.topology.nodeNames.joined(separator: " ")))")
        }
        return k
    }

    func node(_ name: String) throws -> ControlNode {
        let k = try requireNode(name)
        let live = try net.interfaceList(of: name)
        if let h = net.topology.host(name) {
            let interfaces = live.filter { $0.name != "lo" }.map {
                ControlInterface(name: $0.name, mac: $0.mac, up: $0.isUp, carrier: $0.hasCarrier, mtu: $0.mtu,
                                 addresses: (h.addresses[$0.name] ?? []).map(\.description))
            }
            return ControlNode(name: name, kind: k, ip: h.ip.description, ip6: h.ip6?.description, gateway: h.gateway?.description,
                               interfaces: interfaces)
        }
        let s = net.topology.switches.first { $0.name == name }!
        let interfaces = live.map {
            ControlInterface(name: $0.name, mac: $0.mac, up: $0.isUp, carrier: $0.hasCarrier, mtu: $0.mtu, addresses: [])
        }
        return ControlNode(name: name, kind: k, switchKind: s.kind.rawValue,
                           dpid: s.kind == .user ? String(s.dpid, radix: 16) : nil, interfaces: interfaces)
    }

    func setLink(_ a: String, _ b: String, body: [UInt8]) throws {
        _ = try requireNode(a)
        _ = try requireNode(b)
        let example = #"{"state": "down"} or {"bw": "10", "delay": "5ms"}"#
        let req = try ControlJSON.decode(ControlLinkRequest.self, from: body, example: example)
        let hasLink = net.topology.links.contains { ($0.a.node == a && $0.b.node == b) || ($0.a.node == b && $0.b.node == a) }
        guard hasLink else { throw ControlError(404, "no link between '\(a)' and '\(b)'") }
        switch (req.state, req.shapingText) {
        case (let state?, nil):
            guard state == "up" || state == "down" else { throw ControlError(400, "state '\(state)': give up or down") }
            do { try net.setLink(a, b, up: state == "up") } catch { throw ControlError(409, "\(error)") }
        case (nil, let text?):
            let shaping: LinkShaping?
            do {
                shaping = try LinkParams.parse(option: text).shaping(for: "link \(a)-\(b)")
            } catch {
                throw ControlError(400, "\(error)")
            }
            guard let shaping else { throw ControlError(400, "no shaping parameter given: send \(example)") }
            do { try net.setShaping(a, b, shaping) } catch { throw ControlError(409, "\(error)") }
        case (nil, nil):
            throw ControlError(400, "say what to change: send \(example)")
        case (_?, _?):
            throw ControlError(400, "give either state or shaping parameters, not both")
        }
    }

    func addNode(_ body: [UInt8]) throws -> ControlNode {
        let example = #"{"name": "h9"} or {"name": "s9", "kind": "switch"}"#
        let req = try ControlJSON.decode(ControlAddNodeRequest.self, from: body, example: example)
        do {
            switch req.kind ?? "host" {
            case "host": try net.addHost(req.name, ip: req.ip, mac: req.mac)
            case "switch":
                if req.ip != nil || req.mac != nil { throw ControlError(400, "a switch has no ip or mac: send \(example)") }
                try net.addSwitch(req.name)
            case let k: throw ControlError(400, "kind '\(k)': give host or switch")
            }
        } catch let e as ControlError {
            throw e
        } catch let e as TopologyError {
            throw ControlError(400, "\(e)")
        } catch {
            throw ControlError(409, "\(error)")
        }
        return try node(req.name)
    }

    func addLink(_ body: [UInt8]) throws -> ControlLink {
        let example = #"{"a": "h9", "b": "s1"} or {"a": "h9", "b": "s1", "bw": "10", "delay": "5ms"}"#
        let req = try ControlJSON.decode(ControlAddLinkRequest.self, from: body, example: example)
        _ = try requireNode(req.a)
        _ = try requireNode(req.b)
        var shaping: LinkShaping?
        if let text = req.shaping.shapingText {
            do {
                shaping = try LinkParams.parse(option: text).shaping(for: "link \(req.a)-\(req.b)")
            } catch {
                throw ControlError(400, "\(error)")
            }
        }
        var names: (String, String)?
        switch (req.aInterface, req.bInterface) {
        case (nil, nil): break
        case (let x?, let y?): names = (x, y)
        default: throw ControlError(400, "give both a_interface and b_interface, or neither")
        }
        do {
            try net.addLink(req.a, req.b, mtu: req.mtu, shaping: shaping, interfaces: names)
        } catch let e as TopologyError {
            throw ControlError(400, "\(e)")
        } catch {
            throw ControlError(409, "\(error)")
        }
        return links().last!
    }

    /// Floodlight's REST paths (`/wm/...`), answered by the built-in controller, and
    /// its web page (`/ui/`).
    func floodlight(method: String, path: String, responder: ControlResponder, body: [UInt8]) {
        FloodlightHTTP(controller: { [net] in net.builtinController }, names: { [net] in net.controllerNames() },
                       links: { [net] in net.controllerLinkNames() })
            .handle(method: method, path: path, body: body, responder: responder)
    }

    func switchTable(_ name: String, _ what: String) throws -> [String: String] {
        guard let s = net.topology.switches.first(where: { $0.name == name }) else {
            throw ControlError(404, "no switch named '\(name)' in run '\(net.name)'")
        }
        guard s.kind == .user else { throw ControlError(409, "switch '\(name)' is a Linux bridge; flows and ports are shown for user switches (kind: user)") }
        do {
            switch what {
            case "flows": return [what: try net.dumpFlows(name)]
            case "ports": return [what: try net.dumpPorts(name)]
            default: return ["flows": try net.dumpKernelFlows(name)]
            }
        } catch {
            throw ControlError(409, "\(error)")
        }
    }
}
