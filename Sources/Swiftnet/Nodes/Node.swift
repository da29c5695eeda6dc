import Foundation
import Glibc
import Namespaces

/// A node of a running network: `net["h1"]`. Mininet's `net.get("h1")`.
///
/// A handle: it holds no resources. Its persistent shell belongs to the network (one
/// per node, made on first use) and ends with it.
public final class Node: @unchecked Sendable {
    public let name: String
    public let kind: NodeKind
    /// A router (`kind: router`): forwards, runs FRR with `routing:`.
    public let isRouter: Bool
    private weak var network: Network?

    init(name: String, kind: NodeKind, isRouter: Bool, network: Network) {
        self.name = name
        self.kind = kind
        self.isRouter = isRouter
        self.network = network
    }

    private func net() throws -> Network {
        guard let n = network, n.isRunning else { throw NetworkError("\(name): the network is not running") }
        return n
    }

    /// The address of the first interface (hosts and routers), Mininet's `h1.IP()`.
    public var ip: IPv4Address? { network?.topology.host(name)?.ip.address }
    /// Its IPv6 address, when it has one.
    public var ip6: IPv6Address? { network?.topology.host(name)?.ip6?.address }
    /// The MAC address of the first interface as the kernel has it, Mininet's `h1.MAC()`.
    public var mac: String? { (try? interfaces())?.first { $0.name != "lo" }?.mac }

    /// The interfaces as the kernel reports them (for a switch: its ports).
    public func interfaces() throws -> [Interface] { try net().interfaceList(of: name) }

    /// Runs a command line in the node's persistent bash, as Mininet's `host.cmd` does:
    /// `shell("cd /tmp")` then `shell("pwd")` gives "/tmp\n"; variables, functions and
    /// `&` jobs stay too. The output is stdout and stderr together.
    /// - Parameters:
    ///   - timeout: the command is interrupted (SIGINT, then SIGKILL) when it runs out.
    ///   - isCancelled: checked at least every 100 ms, with the network's own check.
    ///   - onOutput: gets the output as it comes instead of the result collecting it.
    /// - Throws: `NetworkError.interrupted` when cancelled.
    public func shell(_ command: String, timeout: Duration? = nil, isCancelled: @escaping () -> Bool = { false },
                      onOutput: ((ArraySlice<UInt8>) -> Void)? = nil) throws -> ShellResult {
        try net().runInShell(of: name, command, timeout: timeout, isCancelled: isCancelled, onOutput: onOutput)
    }

    /// The output of a command line in the persistent shell; Mininet's `host.cmd`.
    @discardableResult
    public func cmd(_ command: String, timeout: Duration? = nil) throws -> String {
        try shell(command, timeout: timeout).output
    }

    /// The pid of the node's persistent bash (Mininet's `node.pid`), which is started
    /// when the node has none yet. - Throws: `NetworkError` when the network is not running.
    public var pid: pid_t {
        get throws { try net().persistentShell(of: name).pid }
    }

    /// Interrupts what the persistent shell runs (Ctrl-C on its terminal).
    public func interrupt() {
        network?.shells.existing(name)?.interrupt()
    }

    /// Runs a program once, outside the persistent shell (no `sh -c`: `argv` as given).
    public func run(_ argv: [String], timeout: Duration? = nil, isCancelled: () -> Bool = { false }) throws -> ProcessResult {
        try net().run(on: name, argv, timeout: timeout, isCancelled: isCancelled)
    }

    /// Starts a program in the background; its output goes to a file of the run's state
    /// directory (`BackgroundProcess.output`). The network's stop ends it.
    public func start(_ argv: [String]) throws -> BackgroundProcess {
        try net().startProcess(on: name, argv)
    }
}

/// The persistent shells of a network's nodes, made on first use.
final class NodeShells: @unchecked Sendable {
    private let lock = NSLock()
    private var shells: [String: PersistentShell] = [:]
    private var closed = false

    /// The node's live shell; a new one when it has none or its last one exited.
    func shell(_ node: String, make: () throws -> PersistentShell) throws -> PersistentShell {
        lock.lock()
        defer { lock.unlock() }
        if closed { throw NetworkError("the network is not running") }
        if let s = shells[node], s.isAlive { return s }
        shells[node]?.close()
        let s = try make()
        shells[node] = s
        return s
    }

    func existing(_ node: String) -> PersistentShell? {
        lock.withLock { shells[node] }
    }

    /// Ends every shell (at the network's stop). Safe to call twice.
    func closeAll() {
        lock.lock()
        let all = Array(shells.values)
        shells.removeAll()
        closed = true
        lock.unlock()
        for s in all { s.close() }
    }

    /// The nodes whose shell is alive, in name order.
    var liveNodes: [String] { lock.withLock { shells.filter { $0.value.isAlive }.map(\.key).sorted(by: naturalLess) } }
}

extension Network {
    /// The node named `name`, or nil. Mininet's `net["h1"]`.
    public subscript(name: String) -> Node? {
        let t = topology
        if let h = t.host(name) { return Node(name: name, kind: .host, isRouter: h.isRouter, network: self) }
        if t.switches.contains(where: { $0.name == name }) { return Node(name: name, kind: .switch, isRouter: false, network: self) }
        return nil
    }

    /// The node named `name`. - Throws: `NetworkError` naming the nodes there are.
    public func node(_ name: String) throws -> Node {
        guard let n = self[name] else {
            throw NetworkError("no node named '\(name)' (nodes: \(topology.nodeNames.joined(separator: " ")))")
        }
        return n
    }

    /// The nodes whose persistent shell has been started and is alive (natural order).
    public var nodesWithShells: [String] { shells.liveNodes }

    /// Every node, hosts first.
    public var nodes: [Node] { topology.nodeNames.compactMap { self[$0] } }

    /// Runs a command line in the node's persistent shell (see `Node.shell`).
    /// - Parameter input: passed on to the command's terminal (the swiftnet shell's stdin).
    public func runInShell(of node: String, _ command: String, timeout: Duration? = nil,
                           isCancelled: @escaping () -> Bool = { false }, input: Int32? = nil,
                           windowSizeFrom terminal: Int32? = nil,
                           onOutput: ((ArraySlice<UInt8>) -> Void)? = nil) throws -> ShellResult {
        let sh = try persistentShell(of: node)
        if let terminal { sh.setWindowSize(from: terminal) }
        let r = try sh.run(command, timeout: timeout, isCancelled: { isCancelled() || self.isInterrupted },
                           input: input, onOutput: onOutput)
        if r.cancelled && !r.timedOut { throw NetworkError.interrupted }
        return r
    }

    /// What the node's persistent shell printed while no command ran (its background
    /// jobs' output), waiting up to `wait` for it; see `PersistentShell.readIdle`.
    public func idleOutput(of node: String, wait: Duration) throws -> PersistentShell.IdleOutput {
        try persistentShell(of: node).readIdle(wait: wait)
    }

    /// The node's live persistent shell, started when it has none.
    func persistentShell(of node: String) throws -> PersistentShell {
        let ns = try namespaceFD(of: node)
        let rt = try runtime()
        let f = try files(of: node)
        return try shells.shell(node) { try PersistentShell(runtime: rt, netns: ns, files: f) }
    }

    /// Starts a program in the background with its output in the state directory.
    public func startProcess(on node: String, _ argv: [String]) throws -> BackgroundProcess {
        let n = Network.stateCounter.next()
        let log = try stateFilePath("\(node).bg\(n).out")
        let pid = try startBackground(on: node, argv, output: log)
        return BackgroundProcess(node: node, command: argv, pid: pid, outputPath: log, runtime: try runtime())
    }

    /// The interfaces of a node as the kernel reports them, with their addresses.
    public func interfaceList(of node: String) throws -> [Interface] {
        let s = try routeSocket(for: node)
        let links = try interfaces(of: node, using: s)
        let addrs = topology.kind(of: node) == .host ? try s.addresses() : []
        let names = Dictionary(links.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
        return links.map { l in
            Interface(name: l.name, index: l.index, mac: l.mac, mtu: l.mtu, isUp: l.isUp, hasCarrier: l.hasCarrier,
                      addresses: addrs.filter { $0.index == l.index }.compactMap { IPCIDR($0.cidr) },
                      kind: l.kind, master: l.master == 0 || l.master == l.index ? nil : names[l.master])
        }
    }

    /// The routes of a node's main table, IPv4 and IPv6, in the kernel's order.
    /// Equivalent to: `ip -n NODE route` and `ip -n NODE -6 route`.
    public func routes(of node: String) throws -> [RouteEntry] {
        let s = try routeSocket(for: node)
        let names = Dictionary(try s.links().map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
        return try s.routes().compactMap { r in
            let v6 = r.family == AF_INET6
            let destination: IPCIDR?
            if r.destination == "default" {
                destination = .any(ipv6: v6)
            } else if r.destination.contains("/") {
                destination = IPCIDR(r.destination)
            } else {
                destination = IPCIDR(r.destination + (v6 ? "/128" : "/32"))
            }
            guard let destination else { return nil }
            return RouteEntry(destination: destination, gateway: r.gateway.flatMap { IPAddress($0) },
                         interface: r.outputIndex.flatMap { names[$0] }, interfaceIndex: r.outputIndex)
        }
    }
}
