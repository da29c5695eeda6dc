import Foundation
import Glibc
import Namespaces
import Netlink
import DNS
import NIOPosix

/// The core's build: the fabric and its bridges, a namespace per host, veth pairs between
/// them, addresses and routes. `makeSwitch`, `makeHost` and `makeLink` are also how nodes
/// and links are added at runtime (Network+Runtime).
extension Network {

    func build(began: ContinuousClock.Instant) throws {
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
        // With br_netfilter loaded, every frame a bridge forwards would also run the
        // fabric's (empty) iptables, ip6tables and arptables hooks: about a sixth of a
        // pingall's time on a chain of 100 bridges. Per namespace: the machine's stay.
        if (try? fabric.sysctl("net.bridge.bridge-nf-call-iptables")) != nil {
            try? fabric.setSysctls([("net.bridge.bridge-nf-call-iptables", "0"), ("net.bridge.bridge-nf-call-ip6tables", "0"),
                                    ("net.bridge.bridge-nf-call-arptables", "0")])
        }
        let fs = try RouteSocket(namespaceFD: fabric.fd)
        fabricSocket = fs
        nextFabricIndex = 2

        for sw in topology.switches {
            try makeSwitch(sw, using: fs)
            try report("switches")
        }
        let hostSockets = HostSockets { [unowned self] in self.hostNamespaces[$0]?.fd }
        let topology = self.topology
        let index = TopologyIndex(topology)
        if options.publishNamespaces || topology.hosts.count < 64 {
            for (i, h) in topology.hosts.enumerated() {
                hostSockets.keep(try makeHost(h), for: h.name)
                try placeProcesses(of: h.name, index: i, namespace: hostNamespaces[h.name]!.fd)
                try report("hosts")
            }
            if options.publishNamespaces { try publishNamespaces() }
            for link in topology.links {
                try makeLink(link, in: index, fabric: fs, hostSockets: hostSockets)
                try report("links")
            }
        } else {
            // Many hosts: their namespaces are made on another thread while the links
            // are made here, each link once its hosts are there.
            let ahead = HostsAhead(sysctls: topology.hosts.map(hostSysctls), names: topology.hosts.map(\.name))
            defer { ahead.finish() }
            var position: [String: Int] = [:]
            for (i, h) in topology.hosts.enumerated() { position[h.name] = i }
            var next = 0
            func takeHosts(through last: Int) throws {
                while next <= last {
                    let h = topology.hosts[next]
                    let ns = try ahead.take(next) { options.isCancelled?() == true }
                    hostNamespaces[h.name] = ns
                    nextHostIndex[h.name] = 2
                    try placeProcesses(of: h.name, index: next, namespace: ns.fd)
                    next += 1
                    try report("hosts")
                }
            }
            for link in topology.links {
                let needed = [link.a, link.b].filter { $0.kind == .host }.compactMap { position[$0.node] }
                if let last = needed.max() { try takeHosts(through: last) }
                try makeLink(link, in: index, fabric: fs, hostSockets: hostSockets)
                try report("links")
            }
            try takeHosts(through: topology.hosts.count - 1)
        }
        if options.staticARP { try installStaticARP(hostSockets: hostSockets) }

        // Routes once every interface is up: gateways, then the static routes.
        for (i, h) in topology.hosts.enumerated() {
            if i % 64 == 0 { try checkInterrupted() }
            try installRoutes(of: h, using: try hostSockets.socket(of: h.name), replacing: false)
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
        let sysctls = hostSysctls(h)
        if !sysctls.isEmpty { try ns.setSysctls(sysctls) }
        let s = try RouteSocket(namespaceFD: ns.fd)
        try s.setLink(index: 1, name: "lo (\(h.name))", up: true)
        nextHostIndex[h.name] = 2
        return s
    }

    /// The sysctls a host's namespace gets: a router forwards, and IPv6 is kept quiet
    /// where it is used.
    func hostSysctls(_ h: ResolvedHost) -> [(String, String)] {
        if h.isRouter { return Self.quietIPv6 + Self.forwarding }
        return linksWithoutIPv6(h) ? [] : Self.quietIPv6
    }

    /// True for a host without IPv6: its links get no link-local address (`makeLink`).
    /// Not through net.ipv6.conf.default.disable_ipv6: opening a sysctl looks its path up
    /// among every namespace's entries of the same name, so a write per host made the
    /// build quadratic (half of single,3000's build).
    func linksWithoutIPv6(_ h: ResolvedHost) -> Bool {
        !h.isRouter && !options.ipv6 && h.ip6 == nil && !h.addresses.values.contains { $0.contains(where: \.isIPv6) }
    }

    /// A link: a veth pair with each end made directly in its namespace, enslaved to its
    /// bridge or given its host's addresses, up, and shaped.
    func makeLink(_ link: ResolvedLink, in topology: TopologyIndex, fabric fs: RouteSocket,
                  hostSockets: HostSockets) throws {
        let userSwitches = topology.userSwitches
        var ends: [(Endpoint, VethEnd)] = []
        for e in [link.a, link.b] {
            var v = VethEnd(name: e.interface, index: 0, mtu: link.mtu)
            switch e.kind {
            case .switch:
                v.index = nextFabricIndex
                nextFabricIndex += 1
                v.namespaceFD = fabric!.fd
                // A switch port made first is made up and in its bridge: each later
                // change to a fabric end costs the kernel a search of the fabric's ids of
                // every host namespace, for its notification. (libnl cannot make a
                // veth's peer up.)
                if ends.isEmpty {
                    v.up = true
                    if !userSwitches.contains(e.node) { v.master = indexes[e.node] }
                }
            case .host:
                v.index = nextHostIndex[e.node]!
                nextHostIndex[e.node]! += 1
                v.namespaceFD = hostNamespaces[e.node]!.fd
                if e.port == 0, let mac = topology.hosts[e.node]!.mac { v.mac = mac.description }
            }
            indexes[e.interface] = v.index
            ends.append((e, v))
        }
        // Create through the socket of the namespace of the first end, which stays
        // there; the other end is placed by namespace descriptor at creation.
        let creator = ends[0].0.kind == .switch ? fs : try hostSockets.socket(of: ends[0].0.node)
        var first = ends[0].1
        first.namespaceFD = nil
        try creator.addVeth(first, peer: ends[1].1)
        for (i, (e, v)) in ends.enumerated() {
            switch e.kind {
            case .switch where i == 0:
                break  // made up, and in its bridge
            case .switch where userSwitches.contains(e.node):
                try fs.setLink(index: v.index, name: v.name, up: true)
            case .switch:
                try fs.setLink(index: v.index, name: v.name, up: true, master: indexes[e.node]!)
            case .host:
                let s = try hostSockets.socket(of: e.node)
                let host = topology.hosts[e.node]!
                for cidr in host.addresses[e.interface] ?? [] {
                    try s.addAddress(index: v.index, cidr: cidr.description, interfaceName: v.name)
                }
                // Before it goes up, in a message of its own: the kernel applies the mode
                // after the flags, and with its peer already up the link-local address
                // (and its DAD and MLD reports) would come at once.
                if linksWithoutIPv6(host) { try s.setLink(index: v.index, name: v.name, ipv6LinkLocal: false) }
                try s.setLink(index: v.index, name: v.name, up: true)
            }
        }
        if let shaping = link.shaping, !userSwitches.contains(link.a.node), !userSwitches.contains(link.b.node) {
            for (e, v) in ends {
                let s = e.kind == .switch ? fs : try hostSockets.socket(of: e.node)
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
}

/// A topology's hosts by name and its user switches, looked up once per build rather
/// than once per link.
struct TopologyIndex {
    let hosts: [String: ResolvedHost]
    let userSwitches: Set<String>

    init(_ t: ValidatedTopology) {
        hosts = Dictionary(uniqueKeysWithValues: t.hosts.map { ($0.name, $0) })
        userSwitches = Set(t.switches.filter { $0.kind == .user }.map(\.name))
    }
}

/// The hosts' rtnetlink sockets while a network is built, at most `capacity` open at once:
/// the oldest is closed when one more is needed, and opened again if asked for later. A
/// build of 10,000 hosts would otherwise hold 10,000 sockets beside the 10,000 namespace
/// descriptors, past the 20,000 open files a process may have on machines where even root
/// cannot raise its hard limit (no CAP_SYS_RESOURCE).
final class HostSockets {
    static let capacity = 512
    private var open: [String: RouteSocket] = [:]
    /// Names in the order their sockets were opened; `head` is the oldest still listed.
    private var order: [String] = []
    private var head = 0
    private let namespace: (String) -> Int32?

    /// - Parameter namespace: the namespace descriptor of a host, by name.
    init(namespace: @escaping (String) -> Int32?) {
        self.namespace = namespace
    }

    /// Keeps a socket already open in `host`'s namespace.
    func keep(_ socket: RouteSocket, for host: String) {
        if open.updateValue(socket, forKey: host) == nil { order.append(host) }
        trim()
    }

    /// The socket of `host`'s namespace, opened if it is not (or no longer) open.
    /// - Throws: `NetworkError` for an unknown host; `NetlinkError` from the open.
    func socket(of host: String) throws -> RouteSocket {
        if let s = open[host] { return s }
        guard let fd = namespace(host) else { throw NetworkError("no namespace for host '\(host)'") }
        let s = try RouteSocket(namespaceFD: fd)
        keep(s, for: host)
        return s
    }

    private func trim() {
        while open.count > Self.capacity, head < order.count {
            open[order[head]] = nil
            head += 1
        }
        if head > 4096 {
            order.removeFirst(head)
            head = 0
        }
    }
}
