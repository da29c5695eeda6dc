import Foundation
import Glibc
import Namespaces
import Netlink
import DNS
import NIOPosix

/// How a network is built and what it reports while building.
public struct NetworkOptions: Sendable {
    /// Names the run in `/run/netns` (with `publishNamespaces`) and `/run/swiftnet`.
    /// Defaults to the topology's name.
    public var runName: String?
    /// Also publish every host as `/run/netns/<run>-<node>` (and the switches' namespace
    /// as `<run>-fabric`) so that `ip netns exec` works. Removed at stop, and by a janitor
    /// process if swiftnet dies.
    public var publishNamespaces = false
    /// How long to wait for kernel STP to converge on topologies with loops.
    public var stpTimeout: Duration = .seconds(60)
    /// Give every host IPv6 (a link-local address on each interface). Without it only
    /// hosts with an `ip6` address have IPv6: on a switch every IPv6 host's MLD reports
    /// reach every other host, which makes a switch with N IPv6 hosts cost O(N^2) to start.
    public var ipv6 = false
    /// How long `start()` waits for user switches to finish their handshake with the
    /// controller (it carries on after that; the switches keep trying).
    public var controllerWait: Duration = .seconds(5)
    /// Called as nodes and links are made (on the building thread).
    public var progress: (@Sendable (BuildProgress) -> Void)?
    /// Checked between build steps: when it returns true the build stops, releases what
    /// it made and throws `NetworkError.interrupted`. Once built, the network's long
    /// operations check it too, at least every 100 ms: programs run in nodes are killed
    /// (`run` throws `NetworkError.interrupted`), `pingAll` and `iperf` stop early.
    public var isCancelled: (@Sendable () -> Bool)?
    /// Serve the control API on a Unix socket in the run's state directory (see
    /// `ControlAPI`), so `swiftnet ls`, `exec`, `inspect`, `link` and `stop` reach the run.
    public var controlAPI = true
    /// What the control API's `POST /v1/stop` does. Without it the network is stopped
    /// (from another thread); the command line makes it its own clean stop, as SIGTERM.
    public var onStopRequest: (@Sendable () -> Void)?

    public init(runName: String? = nil, publishNamespaces: Bool = false) {
        self.runName = runName
        self.publishNamespaces = publishNamespaces
    }
}

/// Where a build stands, for progress displays.
public struct BuildProgress: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int
    public var elapsed: Duration
}

/// Failures of a live network, each naming the node or link concerned.
public struct NetworkError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    /// The build was cancelled (Ctrl-C).
    public static let interrupted = NetworkError("interrupted")
    public var isInterrupted: Bool { message == Self.interrupted.message }
}

/// A topology made real: a network namespace per host, Linux bridges in a private
/// fabric namespace, veth pairs between them, and the processes started inside.
///
/// Everything is owned by this value. `stop()` releases it; if the process dies instead
/// (even by SIGKILL) the kernel releases it, because the namespaces are held only by
/// descriptors and the processes live in a PID namespace whose init dies with us.
public final class Network: @unchecked Sendable {
    /// What the network is made of; nodes and links added at runtime are in it too.
    public var topology: ValidatedTopology { topologyLock.withLock { currentTopology } }
    private var currentTopology: ValidatedTopology
    private let topologyLock = NSLock()

    /// Changes the topology (nodes and links added at runtime).
    func updateTopology(_ change: (inout ValidatedTopology) throws -> Void) rethrows {
        try topologyLock.withLock { try change(&currentTopology) }
    }
    public let options: NetworkOptions
    /// The run's name (see `NetworkOptions.runName`).
    public let name: String

    let lock = NSLock()
    private let stopLock = NSLock()
    var fabric: NetworkNamespace?
    var fabricSocket: RouteSocket?
    var hostNamespaces: [String: NetworkNamespace] = [:]
    /// ifindex of every interface and bridge in its own namespace, by name.
    var indexes: [String: Int32] = [:]
    /// The next ifindex to give in the fabric, and in each host (the kernel takes the
    /// index asked for, which saves a lookup per interface).
    var nextFabricIndex: Int32 = 2
    var nextHostIndex: [String: Int32] = [:]

    /// The ifindex of an interface or bridge in its namespace (read under the lock:
    /// links added at runtime write the table).
    func interfaceIndex(_ name: String) -> Int32? {
        lock.withLock { indexes[name] }
    }
    var processRuntime: ProcessRuntime?
    /// Every host's resolver files, written on first use (see Network+HostFiles).
    var hostFilesCache: [String: HostFiles] = [:]
    let hostFilesLock = NSLock()

    // The services (see `NetworkService`): made with the network, started in dependency
    // order once the core is built, stopped in reverse.
    /// The run's state directory and janitor.
    let state: StateService
    /// The embedded DNS server, when some host uses it.
    let dns: EmbeddedDNSService?
    /// The `kind: user` switches (their datapath and controller connections), when the
    /// topology has any.
    let userSwitches: UserSwitchService?
    let services: ServiceSet
    /// Every node's persistent shell (`Node.shell`), made on first use.
    let shells = NodeShells()
    static let stateCounter = Counter()
    public private(set) var isRunning = false
    /// Seconds the last `start()` took, and how much of it was waiting for STP.
    public private(set) var buildTime: Duration = .zero
    public private(set) var stpWaitTime: Duration = .zero

    /// Prepares a network; nothing is created before `start()`.
    public init(_ topology: ValidatedTopology, options: NetworkOptions = NetworkOptions()) {
        self.currentTopology = topology
        self.options = options
        self.name = options.runName ?? topology.name
        let state = StateService(runName: options.runName ?? topology.name)
        self.state = state
        self.userSwitches = UserSwitchService(topology)
        let dns = topology.usesEmbeddedDNS ? EmbeddedDNSService(zone: Self.embeddedZone(of: topology)) : nil
        self.dns = dns
        var all: [any NetworkService] = [state]
        if let dns { all.append(dns) }
        if let u = userSwitches { all.append(u) }
        if let d = DNSNodesService(topology) { all.append(d) }
        if let f = FRRService(topology) { all.append(f) }
        if options.controlAPI { all.append(ControlService()) }
        self.services = ServiceSet(all)
    }

    /// Each service's state: what it serves, or why it failed.
    public var serviceStatuses: [ServiceStatus] { services.statuses }

    /// Creates everything. On any failure what was made is released before it throws.
    /// - Throws: `NetworkError` (missing privileges, STP timeout), `NetlinkError`,
    ///   `NamespaceError`.
    public func start() throws {
        if let message = RequiredCapability.missingMessage() { throw NetworkError(message) }
        guard Topology.isValidRunName(name) else {
            throw NetworkError("run name '\(name)' must be \(Topology.runNameRule): it names files in /run/netns and /run/swiftnet")
        }
        try Self.checkKernelSupport(for: topology)
        let began = ContinuousClock.now
        do {
            try build(began: began)
            isRunning = true
            try services.start(self)
            try checkInterrupted()
        } catch {
            stop()
            throw error
        }
        buildTime = ContinuousClock.now - began
    }

    /// Kills the run's processes and releases every namespace, link and mount it made.
    /// Returns at once: the kernel finishes destroying the namespaces in the background.
    /// Safe to call twice.
    public func stop() {
        // One stop at a time; the network's lock only while its state changes, so that a
        // service that waits for its own threads (the control API's requests) never waits
        // for a thread that waits for the lock.
        stopLock.lock()
        defer { stopLock.unlock() }
        lock.lock()
        isRunning = false
        let runtime = processRuntime
        processRuntime = nil
        lock.unlock()
        // The core's processes first (nothing of the run outlives this), then the
        // services, last started first (the control API first, the state directory and
        // its janitor last), then the namespaces.
        shells.closeAll()
        runtime?.stop()
        services.stop()
        lock.lock()
        fabricSocket = nil
        for ns in hostNamespaces.values { ns.close() }
        hostNamespaces.removeAll()
        fabric?.close()
        fabric = nil
        lock.unlock()
        hostFilesLock.withLock { hostFilesCache.removeAll() }
    }

    deinit { stop() }

    // MARK: - Building

    private func build(began: ContinuousClock.Instant) throws {
        raiseFileLimit(to: UInt64(topology.openFilesNeeded))
        let total = topology.hosts.count + topology.switches.count + topology.links.count
        var done = 0
        func report(_ phase: String) throws {
            if options.isCancelled?() == true { throw NetworkError.interrupted }
            done += 1
            if let p = options.progress, done % 25 == 0 || done == total {
                p(BuildProgress(phase: phase, done: done, total: total, elapsed: ContinuousClock.now - began))
            }
        }

        processRuntime = try ProcessRuntime()
        let fabric = try NetworkNamespace()
        self.fabric = fabric
        // Bridge ports need no addresses, and IPv6 on them floods every new port's
        // DAD and multicast packets through the chain of bridges: turn it off first.
        try fabric.setSysctls([("net.ipv6.conf.all.disable_ipv6", "1"), ("net.ipv6.conf.default.disable_ipv6", "1")])
        let fs = try RouteSocket(namespaceFD: fabric.fd)
        fabricSocket = fs
        nextFabricIndex = 2

        for sw in topology.switches {
            try makeSwitch(sw, using: fs)
            try report("switches")
        }
        var hostSockets: [String: RouteSocket] = [:]
        for h in topology.hosts {
            hostSockets[h.name] = try makeHost(h)
            try report("hosts")
        }

        if options.publishNamespaces { try publishNamespaces() }

        let topology = self.topology
        for link in topology.links {
            try makeLink(link, in: topology, fabric: fs, hostSockets: hostSockets)
            try report("links")
        }

        // Routes once every interface is up: gateways, then the static routes.
        for (i, h) in topology.hosts.enumerated() {
            if i % 64 == 0 { try checkInterrupted() }
            try installRoutes(of: h, using: hostSockets[h.name]!, replacing: false)
        }

        if topology.switches.contains(where: \.stp) {
            let waitStart = ContinuousClock.now
            try waitForSpanningTree(fs)
            stpWaitTime = ContinuousClock.now - waitStart
        } else {
            try waitForBridgePorts(fs)
        }
        try checkInterrupted()
    }

    /// A switch: a Linux bridge in the fabric (a user switch has no kernel device).
    func makeSwitch(_ sw: ResolvedSwitch, using fs: RouteSocket) throws {
        guard sw.kind != .user else { return }
        let idx = nextFabricIndex
        nextFabricIndex += 1
        try fs.addBridge(name: sw.name, index: idx, stp: sw.stp)
        try fs.setLink(index: idx, name: sw.name, up: true)
        indexes[sw.name] = idx
    }

    /// A host's namespace, its sysctls and its loopback up. Returns its route socket.
    func makeHost(_ h: ResolvedHost) throws -> RouteSocket {
        let ns = try NetworkNamespace()
        hostNamespaces[h.name] = ns
        let hasIPv6 = h.addresses.values.contains { $0.contains(where: \.isIPv6) }
        if h.isRouter {
            try ns.setSysctls(Self.quietIPv6 + Self.forwarding)
        } else if options.ipv6 || h.ip6 != nil || hasIPv6 {
            try ns.setSysctls(Self.quietIPv6)
        } else {
            try ns.setSysctls([("net.ipv6.conf.default.disable_ipv6", "1")])
        }
        let s = try RouteSocket(namespaceFD: ns.fd)
        try s.setLink(index: 1, name: "lo (\(h.name))", up: true)
        nextHostIndex[h.name] = 2
        return s
    }

    /// A link: a veth pair with each end made directly in its namespace, enslaved to its
    /// bridge or given its host's addresses, up, and shaped.
    func makeLink(_ link: ResolvedLink, in topology: ValidatedTopology, fabric fs: RouteSocket,
                  hostSockets: [String: RouteSocket]) throws {
        let userSwitches = Set(topology.switches.filter { $0.kind == .user }.map(\.name))
        var ends: [(Endpoint, VethEnd)] = []
        for e in [link.a, link.b] {
            var v = VethEnd(name: e.interface, index: 0, mtu: link.mtu)
            switch e.kind {
            case .switch:
                v.index = nextFabricIndex
                nextFabricIndex += 1
                v.namespaceFD = fabric!.fd
            case .host:
                v.index = nextHostIndex[e.node]!
                nextHostIndex[e.node]! += 1
                v.namespaceFD = hostNamespaces[e.node]!.fd
                if e.port == 0, let mac = topology.host(e.node)!.mac { v.mac = mac.description }
            }
            indexes[e.interface] = v.index
            ends.append((e, v))
        }
        // Create through the socket of the namespace of the first end, which stays
        // there; the other end is placed by namespace descriptor at creation.
        let creator = ends[0].0.kind == .switch ? fs : hostSockets[ends[0].0.node]!
        var first = ends[0].1
        first.namespaceFD = nil
        try creator.addVeth(first, peer: ends[1].1)
        for (e, v) in ends {
            switch e.kind {
            case .switch where userSwitches.contains(e.node):
                try fs.setLink(index: v.index, name: v.name, up: true)
            case .switch:
                try fs.setLink(index: v.index, name: v.name, up: true, master: indexes[e.node]!)
            case .host:
                let s = hostSockets[e.node]!
                let host = topology.host(e.node)!
                for cidr in host.addresses[e.interface] ?? [] {
                    try s.addAddress(index: v.index, cidr: cidr.description, interfaceName: v.name)
                }
                try s.setLink(index: v.index, name: v.name, up: true)
            }
        }
        if let shaping = link.shaping, !userSwitches.contains(link.a.node), !userSwitches.contains(link.b.node) {
            for (e, v) in ends {
                let s = e.kind == .switch ? fs : hostSockets[e.node]!
                try s.shape(index: v.index, name: v.name, mtu: link.mtu ?? 1500, shaping.egress)
            }
        }
    }

    /// Waits (up to 5 s) until every bridge port forwards, so that "built" means traffic
    /// flows: one dump of the fabric per check. Without STP this is normally at once.
    private func waitForBridgePorts(_ fs: RouteSocket) throws {
        let bridges = Set(topology.switches.filter { $0.kind == .lxbr }.map(\.name))
        let ports = topology.links.flatMap { [$0.a, $0.b] }.filter { $0.kind == .switch && bridges.contains($0.node) }.count
        guard ports > 0 else { return }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let states = try fs.bridgePortStates()
            if states.count >= ports && states.values.allSatisfy({ $0 == 3 }) { return }
            try checkInterrupted()
            usleep(5_000)
        }
    }

    /// Hosts with IPv6 get it without duplicate address detection and router
    /// solicitations: on a bridge every such multicast packet reaches every host.
    /// A router forwards IPv4 and IPv6, and does not drop packets whose way back is
    /// another interface (asymmetric paths are normal between routers).
    static let forwarding = [
        ("net.ipv4.ip_forward", "1"),
        ("net.ipv6.conf.all.forwarding", "1"),
        ("net.ipv4.conf.all.rp_filter", "0"),
        ("net.ipv4.conf.default.rp_filter", "0"),
    ]

    static let quietIPv6 = [
        ("net.ipv6.conf.default.accept_dad", "0"),
        ("net.ipv6.conf.default.dad_transmits", "0"),
        ("net.ipv6.conf.default.router_solicitations", "0"),
    ]

    /// Waits until every bridge port has left the listening and learning states.
    private func waitForSpanningTree(_ fs: RouteSocket) throws {
        let start = ContinuousClock.now
        // STP needs at least two forward delays (2 s each here) before any port forwards.
        let minimum: Duration = .milliseconds(4200)
        var stableChecks = 0
        while true {
            let states = try fs.bridgePortStates()
            let settling = states.values.filter { $0 == 1 || $0 == 2 }.count
            let elapsed = ContinuousClock.now - start
            if settling == 0 && elapsed >= minimum {
                stableChecks += 1
                if stableChecks >= 2 { return }
            } else {
                stableChecks = 0
            }
            if options.isCancelled?() == true { throw NetworkError.interrupted }
            if elapsed > options.stpTimeout {
                throw NetworkError("spanning tree did not converge within \(options.stpTimeout): \(settling) bridge ports still listening or learning")
            }
            if let p = options.progress {
                p(BuildProgress(phase: "waiting for STP", done: states.count - settling, total: states.count, elapsed: elapsed))
            }
            usleep(200_000)
        }
    }

    private func publishNamespaces() throws {
        let j = try state.janitorProcess()
        // `ip netns` makes /run/netns on demand too; made here, it goes when empty at the end.
        if access("/run/netns", F_OK) != 0 {
            j.register(.removeDirectory("/run/netns"))
            _ = mkdir("/run/netns", 0o755)
        }
        var published: [String] = []
        func publish(_ ns: NetworkNamespace, _ node: String) throws {
            let path = "/run/netns/\(name)-\(node)"
            if FileManager.default.fileExists(atPath: path) {
                throw NetworkError("\(path) already exists: another run named '\(name)' is active; choose another name with --name")
            }
            j.register(.unmount(path))
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw NetworkError("cannot create \(path)")
            }
            try ns.bindMount(at: path)
            published.append(path)
        }
        try publish(fabric!, "fabric")
        for h in topology.hosts { try publish(hostNamespaces[h.name]!, h.name) }
        try RunRecord.write(name: name, paths: published, janitor: j)
    }

    // MARK: - Access

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

    /// Starts a program inside a node with the given descriptors (the caller's terminal,
    /// for an interactive shell) in its own process group; the caller reaps it.
    /// - Parameter terminal: hand this terminal to the program (its foreground group).
    public func spawn(on node: String, _ argv: [String], stdin: Int32 = -1, stdout: Int32 = 1, stderr: Int32 = 2,
                      terminal: Int32? = nil) throws -> pid_t {
        try runtime().spawn(argv, netns: namespaceFD(of: node), stdin: stdin, stdout: stdout, stderr: stderr, terminal: terminal,
                            files: files(of: node))
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
    func interfaces(of node: String) throws -> [LinkInfo] {
        let all = try routeSocket(for: node).links()
        if topology.kind(of: node) == .switch {
            let names = Set(topology.switches.first { $0.name == node }!.interfaces + [node])
            return all.filter { names.contains($0.name) }
        }
        return all
    }
}
