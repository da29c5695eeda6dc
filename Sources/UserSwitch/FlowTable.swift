import OpenFlow

/// One flow entry of a user switch's flow table.
struct FlowEntry: Sendable {
    var match: OFMatch
    var priority: UInt16
    var cookie: UInt64
    var idleTimeout: UInt16
    var hardTimeout: UInt16
    var flags: OFFlowModFlags
    var instructions: [OFInstruction]
    /// Monotonic nanoseconds when it was added, and when a packet last matched it.
    var installed: UInt64
    var lastUsed: UInt64
    var packets: UInt64 = 0
    var bytes: UInt64 = 0

    /// True when one of its actions outputs to `port` (the out_port filter of delete and stats).
    func outputs(to port: OFPortNo) -> Bool {
        if port == .any { return true }
        for i in instructions {
            switch i {
            case .applyActions(let a), .writeActions(let a):
                if a.contains(where: { if case .output(port, _) = $0 { true } else { false } }) { return true }
            default: continue
            }
        }
        return false
    }

    /// The table-miss entry of OpenFlow 1.3: priority 0, every field wildcarded.
    var isTableMiss: Bool { priority == 0 && match.isEmpty }

    var hasTimeout: Bool { idleTimeout != 0 || hardTimeout != 0 }
}

/// A flow entry taken out of the table, and why (OFPRR_*).
struct RemovedFlow: Sendable {
    var entry: FlowEntry
    var table: UInt8
    var reason: UInt8
}

/// Why a FLOW_MOD was refused; turned into an OpenFlow ERROR by the agent.
enum FlowModFailure: Error, Equatable {
    case badTableID
    case overlap
    case tableFull
}

/// The flow tables of one switch: OpenFlow's priority classifier.
///
/// Entries are kept sorted by priority, highest first (equal priorities in the order they
/// were added), so a lookup takes the first entry that matches. `generation` changes with
/// every change to any table; the exact-match cache in front of the tables uses it to know
/// when to forget what it learnt.
struct FlowTables: Sendable {
    static let maxEntriesPerTable = 65_536
    private(set) var tables: [[FlowEntry]]
    private(set) var lookups: [UInt64]
    private(set) var matched: [UInt64]
    private(set) var generation: UInt64 = 0
    /// The group table (see Groups.swift), by group id.
    var groups: [UInt32: GroupEntry] = [:]
    /// The meter table (see Meters.swift), by meter id.
    var meters: [UInt32: MeterEntry] = [:]
    /// Entries with an idle or hard timeout, kept as they come and go.
    private var timed = 0

    init(count: Int) {
        tables = Array(repeating: [], count: count)
        lookups = Array(repeating: 0, count: count)
        matched = Array(repeating: 0, count: count)
    }

    var count: Int { tables.count }
    var flowCount: Int { tables.reduce(0) { $0 + $1.count } }
    /// True when some entry has a timeout (the datapath then checks them periodically).
    var hasTimeouts: Bool { timed > 0 }

    // MARK: - Lookup

    /// The index of the highest-priority entry of `table` matching `packet`, counted as a
    /// lookup (and a match when found).
    mutating func lookup(table t: Int, packet: ParsedPacket) -> Int? {
        lookups[t] &+= 1
        guard let i = tables[t].firstIndex(where: { $0.match.matches(packet: packet) }) else { return nil }
        matched[t] &+= 1
        return i
    }

    /// Counts a packet on an entry (found by a lookup or remembered by the cache).
    mutating func hit(table t: Int, index i: Int, bytes: Int, now: UInt64) {
        guard t < tables.count, i < tables[t].count else { return }
        tables[t][i].packets &+= 1
        tables[t][i].bytes &+= UInt64(bytes)
        tables[t][i].lastUsed = now
    }

    /// Counts lookups the cache answered, so table statistics stay true.
    mutating func countCached(table t: Int, matched m: Bool, packets: UInt64 = 1) {
        lookups[t] &+= packets
        if m { matched[t] &+= packets }
    }

    /// Counts packets the kernel forwarded for a decision that hit this entry.
    mutating func hit(table t: Int, index i: Int, packets: UInt64, bytes: UInt64, now: UInt64) {
        guard t < tables.count, i < tables[t].count else { return }
        tables[t][i].packets &+= packets
        tables[t][i].bytes &+= bytes
        tables[t][i].lastUsed = now
    }

    func entries(ofTable t: Int) -> [FlowEntry] { tables[t] }

    func entry(table t: Int, index i: Int) -> FlowEntry { tables[t][i] }

    // MARK: - FLOW_MOD

    /// Applies a FLOW_MOD. Returns the entries it deleted (for FLOW_REMOVED).
    /// - Parameter addWhenNoneMatch: OpenFlow 1.0's MODIFY adds the flow when nothing matches;
    ///   1.3's does nothing.
    mutating func apply(_ mod: OFFlowMod, now: UInt64, addWhenNoneMatch: Bool) throws(FlowModFailure) -> [RemovedFlow] {
        let match = mod.match.normalized
        switch mod.command {
        case .add:
            guard Int(mod.tableID) < tables.count else { throw .badTableID }
            try add(mod, match: match, now: now)
            return []
        case .modify, .modifyStrict:
            let strict = mod.command == .modifyStrict
            guard Int(mod.tableID) < tables.count else { throw .badTableID }
            var found = false
            let t = Int(mod.tableID)
            for i in tables[t].indices where selects(tables[t][i], match: match, strict: strict, priority: mod.priority,
                                                      outPort: .any, cookie: mod.cookie, cookieMask: mod.cookieMask) {
                tables[t][i].instructions = mod.instructions
                if mod.flags.contains(.emergencyOrResetCounts) {
                    tables[t][i].packets = 0
                    tables[t][i].bytes = 0
                }
                found = true
            }
            if found { generation &+= 1 } else if addWhenNoneMatch { try add(mod, match: match, now: now) }
            return []
        case .delete, .deleteStrict:
            let strict = mod.command == .deleteStrict
            let range: Range<Int>
            if mod.tableID == 0xFF { range = 0..<tables.count } else {
                guard Int(mod.tableID) < tables.count else { throw .badTableID }
                range = Int(mod.tableID)..<Int(mod.tableID) + 1
            }
            var removed: [RemovedFlow] = []
            for t in range {
                var kept: [FlowEntry] = []
                for e in tables[t] {
                    if selects(e, match: match, strict: strict, priority: mod.priority, outPort: mod.outPort,
                               cookie: mod.cookie, cookieMask: mod.cookieMask) {
                        if e.hasTimeout { timed -= 1 }
                        removed.append(RemovedFlow(entry: e, table: UInt8(t), reason: OFFlowRemoved.reasonDelete))
                    } else {
                        kept.append(e)
                    }
                }
                if kept.count != tables[t].count { tables[t] = kept }
            }
            if !removed.isEmpty { generation &+= 1 }
            return removed
        }
    }

    private mutating func add(_ mod: OFFlowMod, match: OFMatch, now: UInt64) throws(FlowModFailure) {
        let t = Int(mod.tableID)
        let entry = FlowEntry(match: match, priority: mod.priority, cookie: mod.cookie, idleTimeout: mod.idleTimeout,
                              hardTimeout: mod.hardTimeout, flags: mod.flags, instructions: mod.instructions,
                              installed: now, lastUsed: now)
        if let same = tables[t].firstIndex(where: { $0.priority == mod.priority && $0.match == match }) {
            // An identical match and priority replaces the old entry (counters start again).
            timed += (entry.hasTimeout ? 1 : 0) - (tables[t][same].hasTimeout ? 1 : 0)
            tables[t][same] = entry
            generation &+= 1
            return
        }
        if mod.flags.contains(.checkOverlap),
           tables[t].contains(where: { $0.priority == mod.priority && Self.overlaps($0.match, match) }) {
            throw .overlap
        }
        guard tables[t].count < Self.maxEntriesPerTable else { throw .tableFull }
        let at = tables[t].firstIndex { $0.priority < mod.priority } ?? tables[t].endIndex
        tables[t].insert(entry, at: at)
        if entry.hasTimeout { timed += 1 }
        generation &+= 1
    }

    /// The entries a flow-stats request or a non-strict delete/modify selects.
    func select(table: UInt8, match: OFMatch, outPort: OFPortNo, cookie: UInt64, cookieMask: UInt64) -> [(table: Int, index: Int)] {
        let m = match.normalized
        var out: [(Int, Int)] = []
        for t in tables.indices where table == 0xFF || Int(table) == t {
            for i in tables[t].indices where selects(tables[t][i], match: m, strict: false, priority: 0, outPort: outPort,
                                                       cookie: cookie, cookieMask: cookieMask) {
                out.append((t, i))
            }
        }
        return out
    }

    private func selects(_ e: FlowEntry, match: OFMatch, strict: Bool, priority: UInt16, outPort: OFPortNo,
                         cookie: UInt64, cookieMask: UInt64) -> Bool {
        if cookieMask != 0 && e.cookie & cookieMask != cookie & cookieMask { return false }
        if !e.outputs(to: outPort) { return false }
        if strict { return e.priority == priority && e.match == match }
        return Self.covers(match, e.match)
    }

    // MARK: - Timeouts

    /// Removes the entries whose idle or hard timeout has passed.
    mutating func expire(now: UInt64) -> [RemovedFlow] {
        var removed: [RemovedFlow] = []
        for t in tables.indices {
            tables[t].removeAll { e in
                if e.hardTimeout != 0 && now &- e.installed >= UInt64(e.hardTimeout) * 1_000_000_000 {
                    removed.append(RemovedFlow(entry: e, table: UInt8(t), reason: OFFlowRemoved.reasonHardTimeout))
                    return true
                }
                if e.idleTimeout != 0 && now &- e.lastUsed >= UInt64(e.idleTimeout) * 1_000_000_000 {
                    removed.append(RemovedFlow(entry: e, table: UInt8(t), reason: OFFlowRemoved.reasonIdleTimeout))
                    return true
                }
                return false
            }
        }
        timed -= removed.count
        if !removed.isEmpty { generation &+= 1 }
        return removed
    }

    /// How many entries, in every table, `condition` selects.
    func entryCount(where condition: (FlowEntry) -> Bool) -> Int {
        tables.reduce(0) { $0 + $1.lazy.filter(condition).count }
    }

    /// Marks a change that decisions depend on (the cache forgets what it learnt).
    mutating func bump() { generation &+= 1 }

    /// Removes the entries `condition` selects, from every table.
    mutating func removeEntries(where condition: (FlowEntry) -> Bool) -> [RemovedFlow] {
        var removed: [RemovedFlow] = []
        for t in tables.indices {
            tables[t].removeAll { e in
                guard condition(e) else { return false }
                removed.append(RemovedFlow(entry: e, table: UInt8(t), reason: 2))  // OFPRR_DELETE
                if e.hasTimeout { timed -= 1 }
                return true
            }
        }
        if !removed.isEmpty { generation &+= 1 }
        return removed
    }

    /// Empties every table.
    mutating func removeAll() {
        for t in tables.indices { tables[t].removeAll() }
        timed = 0
        generation &+= 1
    }

    // MARK: - Match relations

    /// A match as (OXM field number → value bits, mask bits); an exact field has an all-ones mask.
    private static func bits(_ m: OFMatch) -> [UInt8: (value: (UInt64, UInt64), mask: (UInt64, UInt64))] {
        var out: [UInt8: (value: (UInt64, UInt64), mask: (UInt64, UInt64))] = [:]
        for (v, k) in m.entries {
            out[v.oxmField] = (v.wideValue, k?.wideValue ?? (.max, .max))
        }
        return out
    }

    /// True when every packet `specific` matches is also matched by `general`: each field
    /// `general` sets, `specific` sets at least as precisely and to a value inside it. This
    /// is how non-strict MODIFY, DELETE and flow statistics choose entries.
    static func covers(_ general: OFMatch, _ specific: OFMatch) -> Bool {
        if general.isEmpty { return true }
        let s = bits(specific)
        for (f, g) in bits(general) {
            guard let e = s[f] else { return false }
            guard e.mask.0 & g.mask.0 == g.mask.0, e.mask.1 & g.mask.1 == g.mask.1 else { return false }
            guard e.value.0 & g.mask.0 == g.value.0 & g.mask.0, e.value.1 & g.mask.1 == g.value.1 & g.mask.1 else { return false }
        }
        return true
    }

    /// True when some packet could match both (CHECK_OVERLAP): no field both set disagrees
    /// on the bits both masks share.
    static func overlaps(_ a: OFMatch, _ b: OFMatch) -> Bool {
        let x = bits(a), y = bits(b)
        for (f, p) in x {
            guard let q = y[f] else { continue }
            let m0 = p.mask.0 & q.mask.0, m1 = p.mask.1 & q.mask.1
            if p.value.0 & m0 != q.value.0 & m0 || p.value.1 & m1 != q.value.1 & m1 { return false }
        }
        return true
    }
}
