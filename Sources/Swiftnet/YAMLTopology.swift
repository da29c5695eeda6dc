import Yams

/// A node of a YAML document (Yams'), not to be confused with a network's `Node`.
typealias YAMLNode = Yams.Node

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading topologies from YAML files:
///
/// ```yaml
/// name: two-subnets            # optional: the file's base name
/// ipbase: 10.0.0.0/8           # optional, 10.0.0.0/8 by default
/// hosts:
///   h1: {}                     # or `h1:` with nothing after it
///   h2: {ip: 10.0.0.2/8, mac: "00:00:00:00:00:02", ip6: "fd00::2/64", gateway: 10.0.0.254}
/// switches:
///   s1: {}                     # keys: kind (lxbr), stp (true/false)
/// links:
///   - [h1, s1]
///   - {endpoints: [h2, s1], mtu: 1400}
/// ```
///
/// Every problem comes out as a `TopologyError` at `FILE:LINE` of the key or item at fault.
/// A key with no value (null) counts as not given. Text values are taken exactly as written,
/// so an unquoted MAC such as 00:00:00:00:00:02 is never read as a YAML 1.1 number.
extension Topology {
    /// The keys a topology file may have at its top level.
    static let yamlTopLevelKeys = ["name", "ipbase", "ipbase6", "hosts", "routers", "switches", "links", "routes", "autoaddress", "routing", "domain", "records", "cluster", "experiment", "controller"]
    /// The keys of a host's options.
    static let yamlHostKeys = ["kind", "ip", "mac", "ip6", "gateway", "dns", "namespace"]
    /// The keys of a switch's options.
    static let yamlSwitchKeys = ["kind", "stp", "dpid", "protocols", "failmode"]
    /// The keys of a link written as a mapping.
    static let yamlLinkKeys = ["endpoints", "interfaces", "ips", "mtu", "bw", "delay", "jitter", "loss", "max_queue", "use_tbf"]

    /// Reads and parses a YAML topology file.
    ///
    /// - Throws: `TopologyError` when the file cannot be read or is not a valid topology description.
    ///   The semantic checks (names, addresses, links) are `validated()`'s job.
    public static func load(yamlFile path: String) throws -> Topology {
        let text = try readTextFile(path)
        return try parse(yaml: text, file: path)
    }

    /// Parses a YAML topology description; `file` is used in locations and for the default name.
    public static func parse(yaml text: String, file: String) throws -> Topology {
        try YAMLTopologyReader(file: file, text: text).read()
    }
}

/// Reads a whole file as UTF-8 text, with a message naming the path when it cannot.
private func readTextFile(_ path: String) throws -> String {
    func failure(_ reason: String) -> TopologyError {
        TopologyError("cannot read topology file '\(path)': \(reason); check the path and its permissions")
    }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw failure(String(cString: strerror(errno)))
        }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw failure("it is not UTF-8 text")
    }
    return text
}

/// Turns the composed YAML node tree into a `Topology`, one checked key at a time.
struct YAMLTopologyReader {
    let file: String
    let text: String

    /// The file's base name without extension: the topology's name when the file gives none.
    var defaultName: String {
        var base = file.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? file
        if let dot = base.lastIndex(of: "."), dot != base.startIndex {
            base = String(base[..<dot])
        }
        return base.isEmpty ? "topology" : base
    }

    func location(_ line: Int) -> SourceLocation { SourceLocation(file: file, line: max(line, 1)) }
    func location(_ node: YAMLNode) -> SourceLocation { location(node.mark?.line ?? 1) }
    func error(_ message: String, at node: YAMLNode) -> TopologyError { TopologyError(message, at: location(node)) }

    func read() throws -> Topology {
        let composed: YAMLNode?
        do {
            composed = try Yams.compose(yaml: text)
        } catch {
            throw convert(error)
        }
        let keysText = Topology.yamlTopLevelKeys.joined(separator: ", ")
        guard let root = composed, !isNull(root) else {
            throw TopologyError("the file has no topology in it: write a mapping with the keys \(keysText)", at: location(1))
        }
        guard let top = root.mapping else {
            throw error("the top level must be a mapping with the keys \(keysText); found \(describe(root))", at: root)
        }
        var topo = Topology(name: defaultName, location: location(1))
        for (name, key, value) in try pairs(of: top, in: "at the top level") {
            switch name {
            case "name":
                if let t = try text(value, key: key, what: "'name'", example: "name: lab") {
                    guard !t.isEmpty else { throw error("'name' is empty: give a name such as `name: lab`, or leave the key out to use the file's name", at: key) }
                    topo.name = t
                }
            case "ipbase":
                if let t = try text(value, key: key, what: "'ipbase'", example: "ipbase: 10.0.0.0/8") { topo.ipBase = t }
            case "hosts":
                topo.hosts += try hosts(value, key: key)
            case "switches":
                topo.switches = try switches(value, key: key)
            case "links":
                topo.links = try links(value, key: key)
            case "domain":
                topo.domain = try text(value, key: key, what: "'domain'", example: "domain: lab.test")
            case "records":
                topo.records = try records(value, key: key)
            case "cluster":
                topo.cluster = try cluster(value, key: key)
            case "experiment":
                topo.experiment = try experiment(value, key: key)
            case "routers":
                topo.hosts += try routers(value, key: key)
            case "routes":
                topo.routes = try routes(value, key: key)
            case "autoaddress":
                topo.autoAddress = try bool(value, key: key, what: "'autoaddress'") ?? false
            case "ipbase6":
                topo.ipBase6 = try text(value, key: key, what: "'ipbase6'", example: "ipbase6: fd00::/48")
            case "routing":
                guard let t = try text(value, key: key, what: "'routing'", example: "routing: ospf") else { continue }
                guard let m = RoutingMode(rawValue: t) else {
                    throw error("routing '\(t)' does not exist; write one of \(RoutingMode.allCases.map(\.rawValue).joined(separator: ", "))", at: key)
                }
                topo.routing = m
            case "controller":
                guard let t = try text(value, key: key, what: "'controller'", example: "controller: remote,ip=127.0.0.1,port=6653") else { continue }
                do { topo.controller = try ControllerSpec.parse(option: t) } catch let e as TopologyError {
                    throw error("controller: \(e.message)", at: key)
                }
            default:
                throw unknownKey(name, key: key, owner: "the top level", allowed: Topology.yamlTopLevelKeys,
                                 lead: "unknown top-level key '\(name)'")
            }
        }
        return topo
    }

    // MARK: Sections

    func hosts(_ value: YAMLNode, key: YAMLNode) throws -> [HostSpec] {
        if isNull(value) { return [] }
        guard let map = value.mapping else {
            throw error("'hosts' must be a mapping from host name to options, such as `h1: {ip: 10.0.0.1/8}`; found \(describe(value))", at: key)
        }
        var out: [HostSpec] = []
        for (name, nameKey, value) in try pairs(of: map, in: "in hosts") {
            var host = HostSpec(name: name, location: location(nameKey))
            for (opt, optKey, optValue) in try options(value, owner: "host '\(name)'", key: nameKey,
                                                        allowed: Topology.yamlHostKeys,
                                                        example: "\(name): {ip: 10.0.0.1/8}") {
                let what = "host '\(name)': '\(opt)'"
                switch opt {
                case "ip": host.ip = try text(optValue, key: optKey, what: what, example: "ip: 10.0.0.1/8")
                case "mac": host.mac = try text(optValue, key: optKey, what: what, example: "mac: \"00:00:00:00:00:01\"")
                case "ip6": host.ip6 = try text(optValue, key: optKey, what: what, example: "ip6: \"fd00::1/64\"")
                case "gateway": host.gateway = try text(optValue, key: optKey, what: what, example: "gateway: 10.0.0.254")
                case "kind":
                    guard let t = try text(optValue, key: optKey, what: what, example: "kind: dns") else { continue }
                    guard let k = HostKind(rawValue: t) else {
                        throw error("host '\(name)' has kind '\(t)', which does not exist; the kinds that exist are: \(HostKind.allCases.map(\.rawValue).joined(separator: ", "))", at: optKey)
                    }
                    host.kind = k
                case "dns": host.dns = try dnsSettings(optValue, key: optKey, host: name)
                case "namespace": host.namespace = try text(optValue, key: optKey, what: what, example: "namespace: shop")
                default: throw unknownKey(opt, key: optKey, owner: "host '\(name)'", allowed: Topology.yamlHostKeys)
                }
            }
            out.append(host)
        }
        return out
    }

    func switches(_ value: YAMLNode, key: YAMLNode) throws -> [SwitchSpec] {
        if isNull(value) { return [] }
        guard let map = value.mapping else {
            throw error("'switches' must be a mapping from switch name to options, such as `s1: {stp: true}`; found \(describe(value))", at: key)
        }
        let kinds = SwitchKind.allCases.map(\.rawValue).joined(separator: ", ")
        var out: [SwitchSpec] = []
        for (name, nameKey, value) in try pairs(of: map, in: "in switches") {
            var sw = SwitchSpec(name: name, location: location(nameKey))
            for (opt, optKey, optValue) in try options(value, owner: "switch '\(name)'", key: nameKey,
                                                        allowed: Topology.yamlSwitchKeys,
                                                        example: "\(name): {stp: true}") {
                switch opt {
                case "kind":
                    guard let t = try text(optValue, key: optKey, what: "switch '\(name)': 'kind'", example: "kind: lxbr") else { continue }
                    guard let kind = SwitchKind(rawValue: t) else {
                        throw error("switch '\(name)' has kind '\(t)', which does not exist; the kinds that exist are: \(kinds)", at: optKey)
                    }
                    sw.kind = kind
                case "stp":
                    sw.stp = try bool(optValue, key: optKey, what: "switch '\(name)': 'stp'")
                case "dpid":
                    // The scalar's text, read as hex: `dpid: 10` is 0x10, as in Mininet.
                    guard let t = try text(optValue, key: optKey, what: "switch '\(name)': 'dpid'", example: "dpid: 1f") else { continue }
                    guard let d = parseDPID(t) else {
                        throw error("switch '\(name)': 'dpid' is '\(t)'; write it in \(dpidSyntax)", at: optKey)
                    }
                    sw.dpid = d
                case "protocols":
                    guard let t = try text(optValue, key: optKey, what: "switch '\(name)': 'protocols'", example: "protocols: OpenFlow13") else { continue }
                    do { sw.protocols = try OpenFlowProtocol.parseList(t) } catch {
                        throw self.error("switch '\(name)': \(error.message)", at: optKey)
                    }
                case "failmode":
                    guard let t = try text(optValue, key: optKey, what: "switch '\(name)': 'failmode'", example: "failmode: secure") else { continue }
                    guard let m = FailMode(rawValue: t) else {
                        throw error("switch '\(name)': failmode '\(t)' does not exist; write secure or standalone", at: optKey)
                    }
                    sw.failMode = m
                default:
                    throw unknownKey(opt, key: optKey, owner: "switch '\(name)'", allowed: Topology.yamlSwitchKeys)
                }
            }
            out.append(sw)
        }
        return out
    }

    func links(_ value: YAMLNode, key: YAMLNode) throws -> [LinkSpec] {
        if isNull(value) { return [] }
        guard let items = value.sequence else {
            throw error("'links' must be a list, one item per link, such as `- [h1, s1]`; found \(describe(value))", at: key)
        }
        var out: [LinkSpec] = []
        for (i, item) in items.enumerated() {
            out.append(try link(item, number: i + 1))
        }
        return out
    }

    func link(_ item: YAMLNode, number: Int) throws -> LinkSpec {
        let shape = "write it as [h1, s1] or as {endpoints: [h1, s1], mtu: 1400}"
        if item.sequence != nil {
            let (a, b) = try endpoints(item, of: "link #\(number)", shape: shape)
            return LinkSpec(a, b, location: location(item))
        }
        guard let map = item.mapping else {
            throw error("link #\(number) is \(describe(item)); \(shape)", at: item)
        }
        let entries = try pairs(of: map, in: "in link #\(number)")
        guard let ends = entries.first(where: { $0.0 == "endpoints" }) else {
            throw error("link #\(number) has no 'endpoints': \(shape)", at: item)
        }
        let (a, b) = try endpoints(ends.2, of: "link #\(number)", shape: shape)
        var spec = LinkSpec(a, b, location: location(item))
        for (opt, optKey, optValue) in entries {
            switch opt {
            case "endpoints":
                break
            case "ips":
                spec.ips = try endIPs(optValue, key: optKey, link: "\(a)-\(b)")
            case "interfaces":
                guard let list = optValue.sequence, list.count == 2, let x = list[0].scalar?.string, let y = list[1].scalar?.string,
                      [x, y].allSatisfy({ !$0.isEmpty && $0.allSatisfy { c in c.isASCII && (c.isLetter || c.isNumber || "-_.".contains(c)) } }) else {
                    throw error("link \(a)-\(b): 'interfaces' must name the two ends' interfaces, such as [\(a)-eth1, \(b)-eth2]", at: optKey)
                }
                spec.interfaceNames = [x, y]
            case "mtu":
                if isNull(optValue) { continue }
                guard let scalar = optValue.scalar, !isQuoted(optValue),
                      !scalar.string.isEmpty, scalar.string.allSatisfy({ $0.isASCII && $0.isNumber }),
                      let mtu = Int(scalar.string) else {
                    throw error("link \(a)-\(b): 'mtu' must be a whole number of bytes such as 1400, not \(describe(optValue))", at: optKey)
                }
                spec.mtu = mtu
            case "bw", "delay", "jitter", "loss", "max_queue":
                // Kept as written; `validated()` checks them with this line.
                if isNull(optValue) { continue }
                guard let scalar = optValue.scalar else {
                    throw error("link \(a)-\(b): '\(opt)' must be a single value such as \(opt == "delay" || opt == "jitter" ? "5ms" : "10"), not \(describe(optValue))", at: optKey)
                }
                switch opt {
                case "bw": spec.params.bw = scalar.string
                case "delay": spec.params.delay = scalar.string
                case "jitter": spec.params.jitter = scalar.string
                case "loss": spec.params.loss = scalar.string
                default: spec.params.maxQueue = scalar.string
                }
            case "use_tbf":
                spec.params.useTBF = try bool(optValue, key: optKey, what: "link \(a)-\(b): 'use_tbf'")
            default:
                throw unknownKey(opt, key: optKey, owner: "link \(a)-\(b)", allowed: Topology.yamlLinkKeys)
            }
        }
        return spec
    }

    /// The two node names of a link: a list of exactly two names.
    func endpoints(_ node: YAMLNode, of what: String, shape: String) throws -> (String, String) {
        guard let list = node.sequence else {
            throw error("\(what): 'endpoints' must be a list of two node names, not \(describe(node)); \(shape)", at: node)
        }
        let names = list.compactMap { n -> String? in
            guard let s = n.scalar, !isNull(n) else { return nil }
            return s.string
        }
        guard list.count == 2, names.count == 2 else {
            let found = list.count == 2 ? "something that is not a node name" : "\(list.count) item\(list.count == 1 ? "" : "s")"
            throw error("\(what) must name exactly two nodes, but has \(found); \(shape)", at: node)
        }
        return (names[0], names[1])
    }

    // MARK: Helpers

    /// The options of a host or switch: nothing, or a mapping (checked for duplicates).
    func options(_ value: YAMLNode, owner: String, key: YAMLNode, allowed: [String], example: String) throws -> [(String, YAMLNode, YAMLNode)] {
        if isNull(value) { return [] }
        guard let map = value.mapping else {
            throw error("\(owner) must have a mapping of options (\(allowed.joined(separator: ", "))) such as `\(example)`, or nothing; found \(describe(value))", at: key)
        }
        return try pairs(of: map, in: "in \(owner)")
    }

    /// A mapping's entries as (key text, key node, value node), refusing repeated and non-text keys.
    func pairs(of map: YAMLNode.Mapping, in context: String) throws -> [(String, YAMLNode, YAMLNode)] {
        var seen: [String: Int] = [:]
        var out: [(String, YAMLNode, YAMLNode)] = []
        for (key, value) in map {
            guard let scalar = key.scalar else {
                throw error("a key \(context) is \(describe(key)); keys must be plain names", at: key)
            }
            let name = scalar.string
            let line = key.mark?.line ?? 1
            if let first = seen[name] {
                throw error(duplicateMessage(name, firstLine: first, context: context), at: key)
            }
            seen[name] = line
            out.append((name, key, value))
        }
        return out
    }

    func duplicateMessage(_ name: String, firstLine: Int, context: String) -> String {
        "duplicate key '\(name)' \(context) (first at line \(firstLine)): a key may appear only once in a mapping; remove or rename one of them"
    }

    /// Where a mapping sits, from the keys (and "#N" list positions) leading to it.
    func context(of path: [String]) -> String {
        switch path.count {
        case 0: return "at the top level"
        case 1 where path[0] == "hosts" || path[0] == "switches": return "in \(path[0])"
        case 2 where path[0] == "hosts": return "in host '\(path[1])'"
        case 2 where path[0] == "switches": return "in switch '\(path[1])'"
        case 2 where path[0] == "links" && path[1].hasPrefix("#"): return "in link \(path[1])"
        default: return "in a mapping"
        }
    }

    /// Optional text: the scalar's characters exactly as written; nil for null.
    func text(_ node: YAMLNode, key: YAMLNode, what: String, example: String) throws -> String? {
        if isNull(node) { return nil }
        guard let scalar = node.scalar else {
            throw error("\(what) must be a single value such as `\(example)`, not \(describe(node))", at: key)
        }
        return scalar.string
    }

    func unknownKey(_ name: String, key: YAMLNode, owner: String, allowed: [String], lead: String? = nil) -> TopologyError {
        var message = lead ?? "\(owner) has unknown key '\(name)'"
        message += "; the allowed keys are \(allowed.joined(separator: ", "))"
        if let guess = closest(name, in: allowed) { message += " (did you mean '\(guess)'?)" }
        return error(message, at: key)
    }

    /// True for a scalar that YAML resolves to null: nothing, `~` or `null`.
    func isNull(_ node: YAMLNode) -> Bool {
        node.scalar != nil && node.tag.rawValue == Tag.Name.null.rawValue
    }

    /// True for a scalar that is text rather than a number or boolean (a quoted one, say).
    func isQuoted(_ node: YAMLNode) -> Bool {
        node.tag.rawValue == Tag.Name.str.rawValue
    }

    func describe(_ node: YAMLNode) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            if isNull(node) { return "nothing" }
            return "'\(s.string)'"
        }
    }

    // MARK: YAML errors

    /// A Yams error as `FILE:LINE: message`.
    func convert(_ error: Error) -> TopologyError {
        let advice = "check the indentation, the ':' after each key and that brackets and quotes are closed"
        guard let yaml = error as? YamlError else {
            return TopologyError("cannot parse the YAML: \(error)", at: location(1))
        }
        switch yaml {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text)"
                if context.mark.line != mark.line { message += " at line \(context.mark.line)" }
                message += ")"
            }
            return TopologyError("\(message); \(advice)", at: location(mark.line))
        case let .reader(problem, offset, _, _):
            let line = offset.map { off in text.prefix(off).reduce(1) { $1 == "\n" ? $0 + 1 : $0 } } ?? 1
            return TopologyError("the file is not valid YAML text: \(problem); save it as UTF-8", at: location(line))
        case let .duplicatedKeysInMapping(duplicates, context):
            let name = duplicates.first ?? "?"
            let firstLine = context.mark.line
            let found = secondOccurrence(of: name, firstAt: context.mark)
            return TopologyError(duplicateMessage(name, firstLine: firstLine, context: found?.context ?? "in a mapping"),
                                 at: location(found?.line ?? firstLine))
        default:
            return TopologyError("cannot parse the YAML: \(yaml)", at: location(1))
        }
    }

    /// Yams refuses a mapping with a repeated key but reports only the first occurrence.
    /// To point at the repeat, mark the first occurrence so the keys differ, compose again
    /// (marking further repeats the same way) and look for the key next to the marked one.
    /// - Returns: the repeat's line and where the mapping is, as `pairs(of:in:)` words it.
    func secondOccurrence(of name: String, firstAt first: Mark) -> (line: Int, context: String)? {
        let prefix = "zqswiftnetdup"
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func mark(_ m: Mark, _ n: Int) -> Bool {
            guard m.line >= 1, m.line <= lines.count else { return false }
            var scalars = Array(lines[m.line - 1].unicodeScalars)
            guard m.column >= 1, m.column - 1 <= scalars.count else { return false }
            scalars.insert(contentsOf: "\(prefix)\(n)x".unicodeScalars, at: m.column - 1)
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            lines[m.line - 1] = String(view)
            return true
        }
        func unmarked(_ s: String) -> String {
            guard s.hasPrefix(prefix) else { return s }
            let rest = s.dropFirst(prefix.count).drop(while: { $0.isNumber })
            return rest.first == "x" ? String(rest.dropFirst()) : s
        }
        let target = "\(prefix)0x\(name)"
        func search(_ node: YAMLNode, _ path: [String]) -> (Int, String)? {
            switch node {
            case .mapping(let map):
                if map.contains(where: { $0.key.scalar?.string == target }) {
                    let repeats = map.compactMap { pair -> Mark? in
                        guard let s = pair.key.scalar?.string, s != target, unmarked(s) == name else { return nil }
                        return pair.key.mark
                    }
                    guard let line = repeats.min(by: { ($0.line, $0.column) < ($1.line, $1.column) })?.line else { return nil }
                    return (line, context(of: path))
                }
                for (k, v) in map {
                    if let found = search(v, path + [unmarked(k.scalar?.string ?? "")]) { return found }
                }
                return nil
            case .sequence(let seq):
                for (i, v) in seq.enumerated() {
                    if let found = search(v, path + ["#\(i + 1)"]) { return found }
                }
                return nil
            default:
                return nil
            }
        }
        guard mark(first, 0) else { return nil }
        for n in 1...64 {
            do {
                guard let root = try Yams.compose(yaml: lines.joined(separator: "\n")) else { return nil }
                return search(root, [])
            } catch let YamlError.duplicatedKeysInMapping(_, context) {
                guard mark(context.mark, n) else { return nil }
            } catch {
                return nil
            }
        }
        return nil
    }
}

/// The allowed key closest to a mistyped one, if it is close enough to be a typo
/// (edits counted with adjacent swaps as one: "mut" is one edit from "mtu").
func closest(_ word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
    let w = Array(word.lowercased())
    let limit = w.count <= 4 ? 1 : 2
    let scored = candidates.map { ($0, distance(w, Array($0))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
    return best.0
}
