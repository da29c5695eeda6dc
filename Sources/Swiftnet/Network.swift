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
    /// Give every end host a permanent ARP entry for every other end host (Mininet's
    /// `--arp`, `autoStaticArp`): no ARP request between hosts is ever sent.
    public var staticARP = false
    /// Limit the CPU time of every host's processes (Mininet's `--host cfs|rt`, its
    /// CPULimitedHost), each host in a cgroup of its own; nil: no limit.
    public var cpuLimit: CPULimit?
    /// Pin the processes of the i-th host to the (i mod n)-th CPU swiftnet may run on
    /// (Mininet's `--pin`).
    public var pinCPUs = false
    /// How long `start()` waits for user switches to finish their handshake with the
    /// controller (it carries on after that; the switches keep trying).
    public var controllerWait: Duration = .seconds(5)
    /// With the built-in controller: the TCP port on 127.0.0.1 where Floodlight's /wm/
    /// REST paths are served (Floodlight's 8080 by default; 0: none). Only /wm/ is
    /// served there: the control API's /v1 stays on the root-only Unix socket.
    public var restPort = 8080
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
    /// Where each host's processes go with `cpuLimit` or `pinCPUs` (nil without either).
    let hostPlacement: HostPlacement?
    /// Every node's persistent shell (`Node.shell`), made on first use.
    let shells = NodeShells()
    static let stateCounter = Counter()
    public private(set) var isRunning = false
    /// Seconds the last `start()` took, and how much of it was waiting for STP.
    public private(set) var buildTime: Duration = .zero
    public internal(set) var stpWaitTime: Duration = .zero

    /// Prepares a network; nothing is created before `start()`.
    public init(_ topology: ValidatedTopology, options: NetworkOptions = NetworkOptions()) {
        self.currentTopology = topology
        self.options = options
        self.name = options.runName ?? topology.name
        let state = StateService(runName: options.runName ?? topology.name)
        self.state = state
        self.userSwitches = UserSwitchService(topology)
        let dns = topology.usesEmbeddedDNS ? EmbeddedDNSService { Self.embeddedZone(of: topology) } : nil
        self.dns = dns
        var all: [any NetworkService] = [state]
        if let dns { all.append(dns) }
        if let u = userSwitches { all.append(u) }
        if let d = DNSNodesService(topology) { all.append(d) }
        if let f = FRRService(topology) { all.append(f) }
        if options.controlAPI { all.append(ControlService()) }
        self.services = ServiceSet(all)
        self.hostPlacement = options.cpuLimit != nil || options.pinCPUs ? HostPlacement(limit: options.cpuLimit, pin: options.pinCPUs) : nil
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
        try Self.checkCPULimitSupport(options, hosts: topology.hosts.count)
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
}
