import Foundation
import Glibc
import Namespaces
import Netlink
import DNS
import NIOPosix

/// What the core offers once built: namespaces, programs in nodes, links up and down,
/// the kernel's view of interfaces.
extension Network {

    /// The namespace descriptor of a host (or of the fabric for a switch name).
    public func namespaceFD(of node: String) throws -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let ns = hostNamespaces[node] { return ns.fd }
        if topology.kind(of: node) == .switch, let f = fabric { return f.fd }
        if topology.kind(of: node) == nil { throw NetworkError("no node named '\(node)' (nodes: \(topology.nodeNames.joined(separator: " ")))") }
        throw NetworkError("the network is not running")
    }

    func runtime() throws -> ProcessRuntime {
        lock.lock()
        defer { lock.unlock() }
        guard let r = processRuntime else { throw NetworkError("the network is not running") }
        return r
    }

    /// A fresh rtnetlink socket inside the node's namespace (host, or fabric for switches).
    func routeSocket(for node: String) throws -> RouteSocket {
        try RouteSocket(namespaceFD: namespaceFD(of: node))
    }

    /// True while `options.isCancelled` says the run is being interrupted (Ctrl-C).
    public var isInterrupted: Bool { options.isCancelled?() == true }

    /// Throws `NetworkError.interrupted` when the run is being interrupted.
    func checkInterrupted() throws {
        if isInterrupted { throw NetworkError.interrupted }
    }

    /// Runs a program inside a node to completion. Equivalent to Mininet's `node.cmd`.
    /// - Parameter isCancelled: checked at least every 100 ms, with `options.isCancelled`.
    /// - Throws: `NetworkError.interrupted` when cancelled (the program is killed first).
    /// - Parameter onOutput: gets the output as it comes (1 stdout, 2 stderr) instead of
    ///   the result collecting it.
    public func run(on node: String, _ argv: [String], timeout: Duration? = nil,
                    isCancelled: () -> Bool = { false },
                    onOutput: ((Int, ArraySlice<UInt8>) -> Void)? = nil) throws -> ProcessResult {
        try finished(runtime().run(argv, netns: namespaceFD(of: node), timeout: timeout, files: files(of: node),
                                   isCancelled: { isCancelled() || isInterrupted }, onOutput: onOutput))
    }

    private func finished(_ r: ProcessResult) throws -> ProcessResult {
        if r.cancelled { throw NetworkError.interrupted }
        return r
    }

    /// The resolver files of a host; nil for a switch (its programs see the machine's).
    func files(of node: String) throws -> HostFiles? {
        topology.kind(of: node) == .host ? try hostFiles(of: node) : nil
    }

    /// Runs a program that needs only the node's network (no private /sys or /etc), as
    /// the pings of `pingAll` do: it starts faster.
    func runNetworkOnly(on node: String, _ argv: [String], timeout: Duration? = nil,
                        isCancelled: () -> Bool = { false }) throws -> ProcessResult {
        try finished(runtime().run(argv, netns: namespaceFD(of: node), timeout: timeout, privateMounts: false,
                                   isCancelled: { isCancelled() || isInterrupted }))
    }

    /// Runs a shell command line inside a node (`sh -c`).
    /// - Throws: `NetworkError.interrupted` when cancelled (see `run(on:_:timeout:isCancelled:)`).
    public func shell(on node: String, _ command: String, timeout: Duration? = nil,
                      isCancelled: () -> Bool = { false }) throws -> ProcessResult {
        try run(on: node, ["/bin/sh", "-c", command], timeout: timeout, isCancelled: isCancelled)
    }

    /// Starts a program in the background inside a node; it is killed at stop.
    /// - Parameter output: file for its stdout and stderr (nil: discarded).
    @discardableResult
    public func startBackground(on node: String, _ argv: [String], output: String? = nil) throws -> pid_t {
        try runtime().startBackground(argv, netns: namespaceFD(of: node), output: output, files: files(of: node))
    }

    /// Kills and reaps a process started with `startBackground`.
    public func stopBackground(_ pid: pid_t) {
        try? runtime().stopBackground(pid)
    }

    /// The PID namespace init of the run (every process of the run is in its namespace).
    public var processNamespaceInit: pid_t? {
        lock.lock()
        defer { lock.unlock() }
        return processRuntime?.initPID
    }

    /// Sets both ends of every link between `a` and `b` up or down
    /// (Mininet's `link a b up|down`). Equivalent to: `ip link set IF down` on each end.
    public func setLink(_ a: String, _ b: String, up: Bool) throws {
        let matches = topology.links.filter { ($0.a.node == a && $0.b.node == b) || ($0.a.node == b && $0.b.node == a) }
        if matches.isEmpty { throw NetworkError("no link between '\(a)' and '\(b)'") }
        for l in matches {
            for e in [l.a, l.b] {
                let s = try routeSocket(for: e.node)
                try s.setLink(index: interfaceIndex(e.interface)!, name: e.interface, up: up)
                // A user switch learns of it as its port's link going down or up (PORT_STATUS).
                if e.kind == .switch { userSwitches?.setPort(named: e.interface, up: up) }
            }
        }
        if up {
            try waitUntilForwarding(matches)
            // The kernel drops the routes through an interface that goes down; a router
            // (or FRR's staticd) puts them back when it comes up, and so does this.
            for node in Set(matches.flatMap { [$0.a, $0.b] }.filter { $0.kind == .host }.map(\.node)) {
                if let h = topology.host(node) { try installRoutes(of: h, using: routeSocket(for: node), replacing: true) }
            }
        }
    }

    /// Adds a node's gateway routes and static routes. With `replacing`, routes that
    /// are still there are left as they are.
    func installRoutes(of h: ResolvedHost, using s: RouteSocket, replacing: Bool) throws {
        var routes: [(String, String)] = []
        if let gw = h.gateway { routes.append(("0.0.0.0/0", gw.description)) }
        if let gw6 = h.gateway6 { routes.append(("::/0", gw6.description)) }
        for r in h.routes { routes.append((r.destination.description, r.via.description)) }
        for (dest, via) in routes {
            do {
                try s.addRoute(destination: dest, gateway: via)
            } catch let e as NetlinkError where replacing && e.isExists {
                continue
            } catch {
                throw NetworkError("\(h.name): cannot add the route to \(dest) via \(via): \(error)")
            }
        }
    }

    /// Waits (up to 2 s) until both ends of the links have a carrier and their bridge
    /// ports forward: the kernel applies carrier changes with up to a second's delay, and a
    /// `link up` followed at once by a ping should not lose it.
    func waitUntilForwarding(_ links: [ResolvedLink]) throws {
        let deadline = ContinuousClock.now + .seconds(2)
        let ends = links.flatMap { [$0.a, $0.b] }
        while ContinuousClock.now < deadline {
            var ready = true
            for e in ends where ready {
                let s = try routeSocket(for: e.node)
                let index = interfaceIndex(e.interface)!
                ready = try s.links().first { $0.index == index }?.hasCarrier ?? false
                if ready && e.kind == .switch && topology.switches.contains(where: { $0.name == e.node && !$0.stp && $0.kind == .lxbr }) {
                    ready = try s.bridgePortStates()[index] == 3
                }
            }
            if ready { return }
            usleep(20_000)
        }
    }

    /// The interfaces of a node as the kernel reports them (for a switch: its ports).
    func interfaces(of node: String, using socket: RouteSocket? = nil) throws -> [LinkInfo] {
        let all = try (socket ?? routeSocket(for: node)).links()
        if topology.kind(of: node) == .switch {
            let names = Set(topology.switches.first { $0.name == node }!.interfaces + [node])
            return all.filter { names.contains($0.name) }
        }
        return all
    }
}
