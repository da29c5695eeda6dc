/// Mininet's built-in topologies (`mn --topo NAME[,ARG...][,KEY=VALUE...]`), generated exactly as
/// Mininet 2.3 does: the same node names and the same order of links, so the same port numbers
/// and interface names (`s2-eth3`).
extension Topology {
    /// The names `builtin(_:)` knows.
    public static var builtinNames: [String] { BuiltinTopology.all.map(\.name) }

    /// Builds a Mininet-style topology from a `--topo` spec such as `tree,depth=2,fanout=3`.
    ///
    /// - `minimal`: two hosts on one switch.
    /// - `single,K`: K hosts (default 2) on one switch.
    /// - `reversed,K`: the same with the ports in reverse order (h1 on port K).
    /// - `linear,K[,N]`: K switches in a chain (default 2), N hosts on each (default 1).
    /// - `tree,DEPTH,FANOUT`: a tree of switches DEPTH levels deep (default 1), FANOUT children each (default 2).
    /// - `torus,X,Y[,N]`: an X by Y torus of switches (X, Y at least 3), N hosts on each (default 1).
    ///
    /// Arguments can be positional or `key=value` (`single,k=3`, `linear,n=2,k=3`).
    /// - Throws: `TopologyError` naming the bad part and showing the right syntax.
    public static func builtin(_ spec: String) throws -> Topology {
        let parts = spec.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmed() }
        let name = parts[0]
        guard let def = BuiltinTopology.all.first(where: { $0.name == name }) else {
            let what = name.isEmpty ? "--topo needs a topology name" : "--topo \(spec): unknown topology '\(name)'"
            throw TopologyError("\(what); the built-in ones are \(builtinNames.joined(separator: ", ")), for example: \(BuiltinTopology.all.map(\.usage).joined(separator: ", "))")
        }
        let values = try def.arguments(Array(parts.dropFirst()), spec: spec)
        return def.build(values)
    }
}

/// One of Mininet's generators with its parameters.
private struct BuiltinTopology: Sendable {
    struct Parameter: Sendable {
        var name: String
        /// The parameter's letter in `usage`.
        var letter: String
        /// nil: the parameter must be given.
        var defaultValue: Int?
        var minimum: Int
        var meaning: String
    }

    var name: String
    var parameters: [Parameter]
    var usage: String
    var build: @Sendable ([Int]) -> Topology

    /// Mininet refuses nothing by size, but every node here is a network namespace (the
    /// benchmarks build tree,depth=2,fanout=100: 10,101 nodes).
    static let maxNodes = 20_000

    static let all: [BuiltinTopology] = [
        BuiltinTopology(name: "minimal", parameters: [], usage: "minimal") { _ in
            var t = TopologyGenerator(name: "minimal")
            let s1 = t.addSwitch("s1")
            for i in 1...2 { t.addLink(t.addHost("h\(i)"), s1) }
            return t.topology
        },
        BuiltinTopology(name: "single", parameters: [
            Parameter(name: "k", letter: "K", defaultValue: 2, minimum: 1, meaning: "number of hosts"),
        ], usage: "single,K") { v in
            var t = TopologyGenerator(name: "single-\(v[0])")
            let s1 = t.addSwitch("s1")
            for i in stride(from: 1, through: v[0], by: 1) { t.addLink(t.addHost("h\(i)"), s1) }
            return t.topology
        },
        // Mininet's SingleSwitchReversedTopo: h1 on the last port, hK on port 1.
        BuiltinTopology(name: "reversed", parameters: [
            Parameter(name: "k", letter: "K", defaultValue: 2, minimum: 1, meaning: "number of hosts"),
        ], usage: "reversed,K") { v in
            var t = TopologyGenerator(name: "reversed-\(v[0])")
            let s1 = t.addSwitch("s1")
            let hosts = stride(from: 1, through: v[0], by: 1).map { t.addHost("h\($0)") }
            for h in hosts.reversed() { t.addLink(h, s1) }
            return t.topology
        },
        BuiltinTopology(name: "linear", parameters: [
            Parameter(name: "k", letter: "K", defaultValue: 2, minimum: 1, meaning: "number of switches"),
            Parameter(name: "n", letter: "N", defaultValue: 1, minimum: 1, meaning: "hosts per switch"),
        ], usage: "linear,K[,N]") { v in
            let (k, n) = (v[0], v[1])
            var t = TopologyGenerator(name: n == 1 ? "linear-\(k)" : "linear-\(k)-\(n)")
            var last: String?
            for i in stride(from: 1, through: k, by: 1) {
                let sw = t.addSwitch("s\(i)")
                for j in stride(from: 1, through: n, by: 1) {
                    t.addLink(t.addHost(n == 1 ? "h\(i)" : "h\(j)s\(i)"), sw)
                }
                if let last { t.addLink(sw, last) }
                last = sw
            }
            return t.topology
        },
        BuiltinTopology(name: "tree", parameters: [
            Parameter(name: "depth", letter: "D", defaultValue: 1, minimum: 1, meaning: "levels of switches"),
            Parameter(name: "fanout", letter: "F", defaultValue: 2, minimum: 1, meaning: "children per switch"),
        ], usage: "tree,depth=D,fanout=F") { v in
            let (depth, fanout) = (v[0], v[1])
            var t = TopologyGenerator(name: "tree-\(depth)-\(fanout)")
            var hostNum = 1, switchNum = 1
            // Mininet's TreeTopo.addTree: a switch, then each child subtree followed by its link.
            func addTree(_ depth: Int) -> String {
                if depth > 0 {
                    let sw = t.addSwitch("s\(switchNum)")
                    switchNum += 1
                    for _ in 0..<fanout {
                        let child = addTree(depth - 1)
                        t.addLink(sw, child)
                    }
                    return sw
                }
                let host = t.addHost("h\(hostNum)")
                hostNum += 1
                return host
            }
            _ = addTree(depth)
            return t.topology
        },
        BuiltinTopology(name: "torus", parameters: [
            Parameter(name: "x", letter: "X", defaultValue: nil, minimum: 3, meaning: "switches in the x direction"),
            Parameter(name: "y", letter: "Y", defaultValue: nil, minimum: 3, meaning: "switches in the y direction"),
            Parameter(name: "n", letter: "N", defaultValue: 1, minimum: 1, meaning: "hosts per switch"),
        ], usage: "torus,X,Y[,N]") { v in
            let (x, y, n) = (v[0], v[1], v[2])
            var t = TopologyGenerator(name: n == 1 ? "torus-\(x)-\(y)" : "torus-\(x)-\(y)-\(n)")
            var switches: [[String]] = []
            for i in 0..<x {
                var row: [String] = []
                for j in 0..<y {
                    let loc = "\(i + 1)x\(j + 1)"
                    let sw = t.addSwitch("s" + loc)
                    row.append(sw)
                    for k in 0..<n {
                        t.addLink(t.addHost(n == 1 ? "h" + loc : "h\(loc)x\(k + 1)"), sw)
                    }
                }
                switches.append(row)
            }
            for i in 0..<x {
                for j in 0..<y {
                    t.addLink(switches[i][j], switches[i][(j + 1) % y])
                    t.addLink(switches[i][j], switches[(i + 1) % x][j])
                }
            }
            return t.topology
        },
    ]

    /// The parameter values of a spec's arguments, as Mininet's `splitArgs` reads them:
    /// positional ones in order, `key=value` ones by name.
    func arguments(_ args: [String], spec: String) throws -> [Int] {
        let syntax = "use \(usage)" + (parameters.isEmpty ? " (it takes no arguments)" :
            " (" + parameters.map { p in
                "\(p.letter): \(p.meaning)" + (p.defaultValue.map { ", default \($0)" } ?? "")
            }.joined(separator: "; ") + (usage.contains("=") ? "" : "; or by name: "
                + parameters.map { "\($0.name)=\($0.letter)" }.joined(separator: ",")) + ")")
        func fail(_ what: String) -> TopologyError {
            TopologyError("--topo \(spec): \(what); \(syntax)")
        }
        var values: [Int?] = parameters.map { _ in nil }
        var positional = 0
        for arg in args {
            let key: String?
            let text: String
            if let eq = arg.firstIndex(of: "=") {
                key = String(arg[..<eq]).trimmed()
                text = String(arg[arg.index(after: eq)...]).trimmed()
            } else {
                key = nil
                text = arg
            }
            let index: Int
            if let key {
                guard let i = parameters.firstIndex(where: { $0.name == key }) else {
                    let known = parameters.isEmpty ? "it has no parameters" : "its parameters are " + parameters.map(\.name).joined(separator: ", ")
                    throw fail("'\(name)' has no parameter '\(key)' (\(known))")
                }
                index = i
            } else {
                guard !arg.isEmpty else { throw fail("there is an empty argument (two commas in a row, or one at the end)") }
                guard positional < parameters.count else {
                    throw fail(parameters.isEmpty ? "'\(name)' takes no arguments, but '\(arg)' was given"
                               : "too many arguments: '\(name)' takes at most \(parameters.count)")
                }
                index = positional
                positional += 1
            }
            let p = parameters[index]
            guard values[index] == nil else { throw fail("\(p.name) is given more than once") }
            guard let v = Int(text), text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }) else {
                throw fail("\(p.name)=\(text) is not a whole number")
            }
            guard v >= p.minimum else {
                let why = name == "torus" && p.minimum == 3 ? " (Mininet's torus needs at least 3x3)" : ""
                throw fail("\(p.name)=\(v) is too small: \(p.name) must be at least \(p.minimum)\(why)")
            }
            values[index] = v
        }
        var out: [Int] = []
        for (p, v) in zip(parameters, values) {
            guard let value = v ?? p.defaultValue else { throw fail("\(p.name) is missing") }
            out.append(value)
        }
        let count = nodeCount(out)
        guard count <= Self.maxNodes else {
            throw fail("that makes \(count == Int.max ? "too many" : String(count)) nodes; at most \(Self.maxNodes) are supported")
        }
        return out
    }

    /// How many hosts and switches the generator makes (Int.max when that overflows).
    func nodeCount(_ v: [Int]) -> Int {
        func mul(_ a: Int, _ b: Int) -> Int {
            let (r, o) = a.multipliedReportingOverflow(by: b)
            return o ? Int.max : r
        }
        func add(_ a: Int, _ b: Int) -> Int {
            let (r, o) = a.addingReportingOverflow(b)
            return o ? Int.max : r
        }
        switch name {
        case "minimal": return 3
        case "single", "reversed": return add(v[0], 1)
        case "linear": return mul(v[0], add(v[1], 1))
        case "tree":
            var total = 0, level = 1
            for _ in 0...v[0] {
                total = add(total, level)
                level = mul(level, v[1])
            }
            return total
        case "torus": return mul(mul(v[0], v[1]), add(v[2], 1))
        default: return 0
        }
    }
}

/// Mininet's `Topo.addHost/addSwitch/addLink`, recording elements in call order.
private struct TopologyGenerator {
    var topology: Topology

    init(name: String) { topology = Topology(name: name) }

    mutating func addHost(_ name: String) -> String {
        topology.hosts.append(HostSpec(name: name, location: nil))
        return name
    }

    mutating func addSwitch(_ name: String) -> String {
        topology.switches.append(SwitchSpec(name: name, location: nil))
        return name
    }

    mutating func addLink(_ a: String, _ b: String) {
        topology.links.append(LinkSpec(a, b, location: nil))
    }
}

private extension StringProtocol {
    func trimmed() -> String {
        let chars: Set<Character> = [" ", "\t"]
        var s = Substring(String(self))
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}
