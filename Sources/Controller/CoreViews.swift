import Foundation
import OpenFlow

/// Floodlight 1.2's informational core paths, which dashboards and scripts read before
/// anything else: `/wm/core/controller/summary/json`, `memory`, `health`,
/// `system/uptime`, `version` and the module lists `module/loaded` and `module/all`.
extension BuiltinController {
    /// The answer for `parts` (after "wm"), nil for a path that is not one of these.
    func coreInformation(_ parts: [String]) -> [String: Any]? {
        switch parts {
        case ["core", "controller", "summary", "json"]:
            // Floodlight's counts: "# inter-switch links" counts each direction of a direct
            // link (its link discovery's links, halved from both ends' lists).
            let discovery = context.service("links", as: LinkDiscovery.self)
            let devices = context.service("devices", as: DeviceManager.self)
            let counts = core.onLoop { [core] in (core.switches.count, devices?.devices.count ?? 0, discovery?.links.count ?? 0) }
                ?? (0, 0, 0)
            return ["# Switches": counts.0, "# hosts": counts.1, "# inter-switch links": counts.2, "# quarantine ports": 0]
        case ["core", "memory", "json"]:
            // Floodlight gives its Java heap; a native process has none, so these are the
            // machine's memory and what of it is available, and the controller's own
            // resident size besides.
            let m = Self.memoryInfo()
            return ["total": m.total, "free": m.available, "process-resident": m.resident]
        case ["core", "health", "json"]:
            return ["healthy": core.onLoop { true } ?? false]
        case ["core", "system", "uptime", "json"]:
            return ["systemUptimeMsec": Int64(Date().timeIntervalSince(startedAt) * 1000)]
        case ["core", "version", "json"]:
            return ["name": "swiftnet", "version": swiftnetRelease]
        case ["core", "module", "loaded", "json"], ["core", "module", "all", "json"]:
            return modulesView(all: parts[2] == "all")
        default:
            return nil
        }
    }

    /// Each module by name: the services it `provides` (service to the module) and
    /// `depends` on (service to the module providing it, "<unresolved>" when none is
    /// loaded), and whether it is `loaded`. With `all`, the standard and learning-switch
    /// modules that are not loaded too.
    func modulesView(all: Bool) -> [String: Any] {
        var provider: [ServiceName: String] = [:]
        for m in context.modules { for s in m.provides { provider[s] = m.name } }
        var out: [String: Any] = [:]
        func add(_ m: ControllerModule, loaded: Bool) {
            out[m.name] = [
                "provides": Dictionary(uniqueKeysWithValues: m.provides.map { ($0.rawValue, m.name) }),
                "depends": Dictionary(uniqueKeysWithValues: Set(m.needs).map { ($0.rawValue, provider[$0] ?? "<unresolved>") }),
                "loaded": loaded,
            ]
        }
        for m in context.modules { add(m, loaded: true) }
        if all {
            for m in Self.standardModules() + Self.learningModules() where out[m.name] == nil { add(m, loaded: false) }
        }
        return out
    }

    /// The machine's MemTotal and MemAvailable (/proc/meminfo) and this process's VmRSS
    /// (/proc/self/status), in bytes; 0 for what cannot be read.
    static func memoryInfo() -> (total: Int64, available: Int64, resident: Int64) {
        let machine = kilobyteLines("/proc/meminfo"), process = kilobyteLines("/proc/self/status")
        return ((machine["MemTotal"] ?? 0) * 1024, (machine["MemAvailable"] ?? 0) * 1024, (process["VmRSS"] ?? 0) * 1024)
    }

    /// A /proc file's "Key:   1234 kB" lines as key to number (empty when unreadable).
    static func kilobyteLines(_ file: String) -> [String: Int64] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [:] }
        var out: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            if fields.count >= 2, let n = Int64(fields[1]) { out[String(fields[0])] = n }
        }
        return out
    }
}
