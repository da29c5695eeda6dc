import Foundation
import OpenFlow

/// Flows a user names and pushes through the REST API (Floodlight's static flow pusher):
/// each entry has a name, a switch, a match in Floodlight's field names and an action
/// list. Entries are kept, so a switch that connects again gets its entries again; an
/// entry with `"active": "false"` is kept but not installed.
public final class StaticFlowPusher: ControllerModule, OpenFlowListener, @unchecked Sendable {
    public let name = "static-flow-pusher"
    public let provides: [ServiceName] = ["staticflows"]
    public let needs: [ServiceName] = ["openflow"]

    /// The cookie of its flows when the entry gives none.
    public static let cookie: UInt64 = 0x5357_4E00_0000_00A0
    /// The keys an entry may have besides match fields.
    static let entryKeys: Set<String> = [
        "switch", "name", "priority", "cookie", "active", "idle_timeout", "hard_timeout", "table", "actions",
        "instruction_apply_actions", "instruction_goto_table", "instruction_clear_actions", "eth_vlan_vid", "version",
    ]

    /// One entry as pushed: its text (for the list) and the flow it becomes.
    public struct Entry: Sendable {
        public let name: String
        public let dpid: UInt64
        public let fields: [String: String]
        public let flow: OFFlowMod
        public let active: Bool
    }

    private var core: OpenFlowCore?
    private var counters: DebugCounters?
    /// By name. On the core's loop.
    public private(set) var entries: [String: Entry] = [:]

    public init() {}

    public func initialise(_ context: ModuleContext) throws {
        let core = try context.require("openflow", as: OpenFlowCore.self, by: name)
        self.core = core
        counters = core.counters
        core.addListener(self)
        // A withdrawal on an OpenFlow 1.0 switch deletes every flow (no cookie mask):
        // the entries go back at once, after the delete on the same connection.
        context.service("forwarding", as: Forwarding.self)?.afterWithdrawal { [weak self] switches in
            for sw in switches { self?.switchReady(sw) }
        }
    }

    public func start(_ context: ModuleContext) throws {}

    public func switchReady(_ sw: SwitchConnection) {
        for e in entries.values where e.dpid == sw.dpid && e.active { sw.send(.flowMod(e.flow)) }
    }

    /// Reads an entry from Floodlight's JSON object (every value a string or a number).
    /// - Throws: `FloodlightFields.BadEntry` naming the key that is wrong.
    public static func entry(_ object: [String: Any]) throws -> Entry {
        var fields: [String: String] = [:]
        for (k, v) in object {
            switch v {
            case let s as String: fields[k] = s
            case let n as NSNumber: fields[k] = n.stringValue
            case let b as Bool: fields[k] = b ? "true" : "false"
            default: throw FloodlightFields.BadEntry("the value of '\(k)' must be a string or a number")
            }
        }
        guard let name = fields["name"], !name.isEmpty else { throw FloodlightFields.BadEntry("the entry needs a \"name\"") }
        guard let sw = fields["switch"] ?? fields["switch_id"] else {
            throw FloodlightFields.BadEntry("entry '\(name)' needs a \"switch\" (its DPID, 00:00:00:00:00:00:00:01)")
        }
        guard let dpid = BuiltinController.dpid(sw) else { throw FloodlightFields.BadEntry("'\(sw)' is not a switch DPID (write 00:00:00:00:00:00:00:01)") }
        for k in fields.keys where !entryKeys.contains(k) && !FloodlightFields.names.contains(FloodlightFields.canonical(k)) {
            throw FloodlightFields.BadEntry("entry '\(name)': unknown key '\(k)'")
        }
        let match = try FloodlightFields.match(fields)
        var instructions: [OFInstruction] = []
        if let text = fields["actions"] ?? fields["instruction_apply_actions"] {
            instructions.append(.applyActions(try FloodlightFields.actions(text)))
        }
        if fields["instruction_clear_actions"] != nil { instructions.append(.clearActions) }
        if let t = fields["instruction_goto_table"] { instructions.append(.gotoTable(try FloodlightFields.number(t, "instruction_goto_table"))) }
        let flow = OFFlowMod(cookie: try fields["cookie"].map { try FloodlightFields.number($0, "cookie") } ?? cookie,
                             tableID: try fields["table"].map { try FloodlightFields.number($0, "table") } ?? 0,
                             idleTimeout: try fields["idle_timeout"].map { try FloodlightFields.number($0, "idle_timeout") } ?? 0,
                             hardTimeout: try fields["hard_timeout"].map { try FloodlightFields.number($0, "hard_timeout") } ?? 0,
                             priority: try fields["priority"].map { try FloodlightFields.number($0, "priority") } ?? 32768,
                             match: match, instructions: instructions)
        let active = (fields["active"] ?? "true").lowercased() != "false"
        return Entry(name: name, dpid: dpid, fields: fields, flow: flow, active: active)
    }

    /// Adds or replaces an entry and installs it on its switch when that is connected
    /// (on the loop).
    public func push(_ e: Entry) {
        if let old = entries[e.name] { remove(old) }
        entries[e.name] = e
        counters?.add(name, "entries pushed")
        if e.active, let sw = core?.switches[e.dpid] {
            sw.send(.flowMod(e.flow))
            counters?.add(name, "flow-mods")
        }
    }

    private func remove(_ e: Entry) {
        guard e.active, let sw = core?.switches[e.dpid] else { return }
        var del = e.flow
        del.command = .deleteStrict
        del.instructions = []
        sw.send(.flowMod(del))
        counters?.add(name, "flow-mods")
    }

    /// Deletes the entry named `entry` and its flow; false when there is none.
    public func delete(_ entry: String) -> Bool {
        guard let e = entries.removeValue(forKey: entry) else { return false }
        remove(e)
        counters?.add(name, "entries deleted")
        return true
    }

    /// Deletes every entry of switch `dpid` (every switch when nil); how many went.
    @discardableResult
    public func clear(_ dpid: UInt64?) -> Int {
        let gone = entries.values.filter { dpid == nil || $0.dpid == dpid }
        for e in gone { _ = delete(e.name) }
        return gone.count
    }
}
