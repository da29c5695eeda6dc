import Foundation
import NIOCore
import OpenFlow

/// An answer of the REST API: an HTTP status and a JSON body.
public struct RestAnswer: Sendable {
    public let status: Int
    public let json: [UInt8]
    public init(status: Int, json: [UInt8]) {
        self.status = status
        self.json = json
    }
}

/// Floodlight's switch statistics (`/wm/core/switch/{dpid|all}/{stat}/json`, asked of the
/// switches over OpenFlow) and its static flow pusher (`/wm/staticflowpusher/...`).
extension BuiltinController {
    static func object(_ v: Any, status: Int = 200) -> RestAnswer {
        let data = (try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
        return RestAnswer(status: status, json: Array(data))
    }

    static func status(_ text: String, _ code: Int = 200) -> RestAnswer { object(["status": text], status: code) }

    /// Every REST request: `method`, the path's `parts` after "wm", its `query` and body.
    /// Nil for a path it does not serve.
    public func rest(method: String, parts: [String], query: [String: String] = [:], body: [UInt8] = []) -> RestAnswer? {
        // Floodlight 1.x's name, 1.2's new one, and 0.9's (which circuitpusher and the
        // tutorials of its time use).
        if ["staticflowpusher", "staticentrypusher", "staticflowentrypusher"].contains(parts.first ?? "") {
            return staticFlows(method: method, parts: Array(parts.dropFirst()), body: body)
        }
        if parts == ["core", "role", "json"] { return roleView(method: method, body: body) }
        if parts == ["routing", "metric", "json"] { return metricView(method: method, body: body) }
        if parts.count == 5 && parts[0] == "core" && parts[1] == "switch" && parts[4] == "json" {
            guard method == "GET" else { return Self.status("\(method) is not served here: switch statistics take GET", 405) }
            return switchStats(parts[2], parts[3])
        }
        guard let json = coreInformation(parts).map({ Self.object($0).json }) ?? rest(parts, query: query) else { return nil }
        guard method == "GET" else { return Self.status("\(method) is not served here: this path takes GET", 405) }
        return RestAnswer(status: 200, json: json)
    }

    // MARK: - Role and path metric

    /// `/wm/core/role/json`: GET the controller's role; POST `{"role": "ACTIVE"|"STANDBY",
    /// "role-change-description": "..."}` changes it (MASTER, EQUAL and SLAVE are read as
    /// Floodlight reads them). Both answer the role, its description and when it changed.
    func roleView(method: String, body: [UInt8]) -> RestAnswer {
        var change: (role: ControllerRole, description: String)?
        if method == "POST" || method == "PUT" {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
                return Self.status("the body is not a JSON object: send {\"role\": \"ACTIVE\"} or {\"role\": \"STANDBY\"}", 400)
            }
            guard let text = object["role"] as? String, let role = ControllerRole(text: text) else {
                return Self.status("role \(object["role"].map { "\($0)" } ?? "missing"): use ACTIVE or STANDBY", 400)
            }
            change = (role, object["role-change-description"] as? String ?? "changed over REST")
        } else if method != "GET" {
            return Self.status("\(method) is not served here: the role takes GET and POST", 405)
        }
        // One trip to the loop: the change (if any), then the answer.
        let info = core.onLoop { [core, change] in
            if let change { core.setRole(change.role, description: change.description) }
            return (core.role.rawValue, core.roleChange.description, core.roleChange.at)
        }
        guard let info else { return Self.status("the controller is stopping", 503) }
        let f = ISO8601DateFormatter()
        return Self.object(["role": info.0, "role-change-description": info.1, "role-change-date-time": f.string(from: info.2)])
    }

    /// `/wm/routing/metric/json`: GET the path metric; POST (or PUT) `{"metric":
    /// "hopcount"|"latency"}` chooses it, and the installed paths go.
    func metricView(method: String, body: [UInt8]) -> RestAnswer {
        guard let topology = context.service("topology", as: TopologyService.self) else {
            return Self.status("this controller computes no paths (its app is the learning switch)", 404)
        }
        var chosen: PathMetric?
        if method == "POST" || method == "PUT" {
            let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
            let text = (object?["metric"] as? String)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard let metric = PathMetric(rawValue: text) else {
                return Self.object(["error": "invalid path metric: \(text) (use \(PathMetric.allCases.map(\.rawValue).joined(separator: " or ")))"], status: 400)
            }
            chosen = metric
        } else if method != "GET" {
            return Self.status("\(method) is not served here: the metric takes GET and POST", 405)
        }
        let metric = core.onLoop { [chosen] in
            if let chosen { topology.setMetric(chosen) }
            return topology.metric.rawValue
        }
        return Self.object(["metric": metric ?? "hopcount"])
    }

    // MARK: - Switch statistics

    static let statNames = ["port", "port-desc", "flow", "aggregate", "desc", "table", "features"]

    func switchStats(_ which: String, _ stat: String) -> RestAnswer {
        guard Self.statNames.contains(stat) else {
            return Self.status("no statistic '\(stat)': ask for one of \(Self.statNames.joined(separator: ", "))", 404)
        }
        let one: UInt64?
        if which.lowercased() == "all" {
            one = nil
        } else {
            guard let d = Self.dpid(which) else { return Self.status("'\(which)' is not a switch DPID (write 00:00:00:00:00:00:00:01 or all)", 400) }
            one = d
        }
        // Ask every switch at once on the loop; wait here (a REST worker, not the loop).
        let asked: [(UInt64, OFVersion, OFFeatures?, [UInt32: OFPortDesc], EventLoopFuture<[OFStatsReply]>?)] = core.onLoop { [core] in
            core.switches.values.filter { one == nil || $0.dpid == one }.sorted { $0.dpid < $1.dpid }.map { s in
                let request: OFStatsRequest? = switch stat {
                case "port": .port(.any)
                case "flow": .flow(OFFlowStatsRequest())
                case "aggregate": .aggregate(OFFlowStatsRequest())
                case "desc": .desc
                case "table": .table
                default: nil
                }
                return (s.dpid, s.version, s.features, s.ports, request.map { s.request($0) })
            }
        } ?? []
        if let one, asked.isEmpty { return Self.status("no switch \(SwitchConnection.text(one)) is connected", 404) }
        var out: [String: Any] = [:]
        for (dpid, version, features, ports, future) in asked {
            let v = version == .v1_3 ? "OF_13" : "OF_10"
            let replies = future.flatMap { try? $0.wait() }
            if future != nil && replies == nil { continue }
            out[SwitchConnection.text(dpid)] = Self.view(stat, version: v, replies: replies ?? [], features: features, ports: ports)
        }
        if let one {
            guard let answer = out[SwitchConnection.text(one)] else { return Self.status("switch \(SwitchConnection.text(one)) did not answer", 504) }
            return Self.object(answer)
        }
        return Self.object(out)
    }

    static func portText(_ n: UInt32) -> String {
        n == OFPortNo.local.rawValue ? "local" : FloodlightFields.portText(OFPortNo(rawValue: n))
    }

    static func view(_ stat: String, version v: String, replies: [OFStatsReply], features: OFFeatures?, ports: [UInt32: OFPortDesc]) -> Any {
        switch stat {
        case "port":
            var list: [[String: String]] = []
            for case .port(let ps) in replies {
                for p in ps.sorted(by: { $0.portNo < $1.portNo }) {
                    list.append([
                        "port_number": portText(p.portNo.rawValue),
                        "receive_packets": "\(p.rxPackets)", "transmit_packets": "\(p.txPackets)",
                        "receive_bytes": "\(p.rxBytes)", "transmit_bytes": "\(p.txBytes)",
                        "receive_dropped": "\(p.rxDropped)", "transmit_dropped": "\(p.txDropped)",
                        "receive_errors": "\(p.rxErrors)", "transmit_errors": "\(p.txErrors)",
                        "receive_frame_errors": "\(p.rxFrameErr)", "receive_overrun_errors": "\(p.rxOverErr)",
                        "receive_CRC_errors": "\(p.rxCrcErr)", "collisions": "\(p.collisions)",
                        "duration_sec": "\(p.durationSec)", "duration_nsec": "\(p.durationNsec)",
                    ])
                }
            }
            return ["port_reply": [["version": v, "port": list]]]
        case "port-desc":
            let list = ports.values.sorted { $0.portNo < $1.portNo }.map { p -> [String: String] in
                ["port_number": portText(p.portNo.rawValue), "hardware_address": p.hwAddr.description, "name": p.name,
                 "config": "\(p.config)", "state": "\(p.state)", "current_features": "\(p.curr)",
                 "current_speed": "\(p.currSpeed)", "max_speed": "\(p.maxSpeed)"]
            }
            return ["port_desc": list, "version": v]
        case "flow":
            var list: [[String: Any]] = []
            for case .flow(let fs) in replies {
                for f in fs {
                    var instructions: [String: Any] = [:]
                    for i in f.instructions {
                        switch i {
                        case .applyActions(let a): instructions["instruction_apply_actions"] = ["actions": FloodlightFields.text(a)]
                        case .writeActions(let a): instructions["instruction_write_actions"] = ["actions": FloodlightFields.text(a)]
                        case .clearActions: instructions["instruction_clear_actions"] = [String: String]()
                        case .gotoTable(let t): instructions["instruction_goto_table"] = ["table_id": "\(t)"]
                        case .meter(let m): instructions["instruction_goto_meter"] = ["meter_id": "\(m)"]
                        case .writeMetadata(let value, let mask):
                            instructions["instruction_write_metadata"] = ["metadata": "0x" + String(value, radix: 16), "mask": "0x" + String(mask, radix: 16)]
                        default: break
                        }
                    }
                    list.append([
                        "version": v, "cookie": "\(f.cookie)", "table_id": "0x" + String(f.tableID, radix: 16),
                        "packet_count": "\(f.packetCount)", "byte_count": "\(f.byteCount)",
                        "duration_sec": "\(f.durationSec)", "duration_nsec": "\(f.durationNsec)",
                        "priority": "\(f.priority)", "idle_timeout_s": "\(f.idleTimeout)", "hard_timeout_s": "\(f.hardTimeout)",
                        "flags": "\(f.flags.rawValue)", "match": FloodlightFields.text(f.match), "instructions": instructions,
                    ])
                }
            }
            return ["flows": list]
        case "aggregate":
            var a = OFAggregateStats()
            for case .aggregate(let x) in replies { a = x }
            return ["aggregate": ["version": v, "flow_count": "\(a.flowCount)", "packet_count": "\(a.packetCount)", "byte_count": "\(a.byteCount)"]]
        case "desc":
            var d = OFDescStats()
            for case .desc(let x) in replies { d = x }
            return ["desc": ["version": v, "manufacturer_description": d.mfrDesc, "hardware_description": d.hwDesc,
                             "software_description": d.swDesc, "serial_number": d.serialNum, "datapath_description": d.dpDesc]]
        case "table":
            var list: [[String: String]] = []
            for case .table(let ts) in replies {
                for t in ts where t.activeCount > 0 || t.lookupCount > 0 || t.tableID == 0 {
                    list.append(["version": v, "table_id": "0x" + String(t.tableID, radix: 16), "active_count": "\(t.activeCount)",
                                 "lookup_count": "\(t.lookupCount)", "matched_count": "\(t.matchedCount)"])
                }
            }
            return ["tables": list]
        default: // features
            return ["version": v, "datapath_id": SwitchConnection.text(features?.datapathID ?? 0),
                    "buffers": "\(features?.nBuffers ?? 0)", "tables": "\(features?.nTables ?? 0)",
                    "capabilities": "\(features?.capabilities ?? 0)", "ports": "\(ports.count)"]
        }
    }

    // MARK: - Static flow pusher

    func staticFlows(method: String, parts: [String], body: [UInt8]) -> RestAnswer {
        guard let pusher = context.service("staticflows", as: StaticFlowPusher.self) else {
            return Self.status("the static flow pusher is not loaded", 404)
        }
        func target(_ text: String) -> (ok: Bool, dpid: UInt64?) {
            text.lowercased() == "all" ? (true, nil) : Self.dpid(text).map { (true, $0) } ?? (false, nil)
        }
        switch parts {
        case ["json"] where method == "POST" || method == "PUT":
            guard let any = try? JSONSerialization.jsonObject(with: Data(body)), let object = any as? [String: Any] else {
                return Self.status("Error! The body must be one JSON object: {\"switch\": \"00:00:00:00:00:00:00:01\", \"name\": \"f1\", \"in_port\": \"1\", \"actions\": \"output=2\"}", 400)
            }
            do {
                let entry = try StaticFlowPusher.entry(object)
                core.onLoop { pusher.push(entry) }
                return Self.status("Entry pushed")
            } catch {
                return Self.status("Error! \(error)", 400)
            }
        case ["json"] where method == "DELETE":
            guard let any = try? JSONSerialization.jsonObject(with: Data(body)), let object = any as? [String: Any],
                  let name = object["name"] as? String else {
                return Self.status("Error! The body must be {\"name\": \"ENTRY\"}", 400)
            }
            let gone = core.onLoop { pusher.delete(name) } ?? false
            return gone ? Self.status("Entry \(name) deleted") : Self.status("Error! No entry named '\(name)'", 404)
        case let p where p.count == 3 && p[0] == "list" && p[2] == "json":
            guard method == "GET" else { return Self.status("\(method) is not served here: the list takes GET", 405) }
            let t = target(p[1])
            guard t.ok else { return Self.status("'\(p[1])' is not a switch DPID or all", 400) }
            let entries = core.onLoop { Array(pusher.entries.values) } ?? []
            var out: [String: [[String: Any]]] = [:]
            for e in entries.sorted(by: { $0.name < $1.name }) where t.dpid == nil || e.dpid == t.dpid {
                var flow: [String: Any] = ["match": FloodlightFields.text(e.flow.match), "priority": "\(e.flow.priority)",
                                           "cookie": "\(e.flow.cookie)", "table_id": "0x" + String(e.flow.tableID, radix: 16),
                                           "idle_timeout_s": "\(e.flow.idleTimeout)", "hard_timeout_s": "\(e.flow.hardTimeout)",
                                           "active": e.active ? "true" : "false"]
                for case .applyActions(let a) in e.flow.instructions {
                    flow["instructions"] = ["instruction_apply_actions": ["actions": FloodlightFields.text(a)]]
                }
                out[SwitchConnection.text(e.dpid), default: []].append([e.name: flow])
            }
            if let d = t.dpid, out[SwitchConnection.text(d)] == nil { out[SwitchConnection.text(d)] = [] }
            return Self.object(out)
        case let p where p.count == 3 && p[0] == "clear" && p[2] == "json":
            guard method == "GET" || method == "DELETE" else { return Self.status("\(method) is not served here: clear takes GET", 405) }
            let t = target(p[1])
            guard t.ok else { return Self.status("'\(p[1])' is not a switch DPID or all", 400) }
            let n = core.onLoop { pusher.clear(t.dpid) } ?? 0
            return Self.status(t.dpid == nil ? "Deleted all flows (\(n) entries)." : "Deleted all flows of \(p[1]) (\(n) entries).")
        case ["json"]:
            return Self.status("\(method) is not served here: POST an entry, DELETE one by name", 405)
        default:
            return Self.status("no such static flow pusher path; use json, list/{switch|all}/json or clear/{switch|all}/json", 404)
        }
    }
}
