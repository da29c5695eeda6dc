import Foundation
import Glibc
import Namespaces
import Netlink

/// Nodes and links added to a running network, as Mininet's `net.addHost`,
/// `net.addSwitch` and `net.addLink` after `net.start()`: each gets what a build would
/// have given it (the next free address of the topology's ipbase, interface names in port
/// order, the link's shaping on both ends), and is released by `stop()` like the rest.
extension Network {
    /// Adds a host with no links yet (add them with `addLink`).
    /// - Parameters:
    ///   - ip: its address with or without a prefix ("10.0.0.9/8", "10.0.0.9"); by default
    ///     the lowest free address of the ipbase from the host's number on, as a build gives.
    ///   - mac: the MAC address of its first interface (default: the kernel's choice).
    /// - Throws: `TopologyError` for a bad name or address (nothing is made),
    ///   `NetworkError` when the network is not running.
    @discardableResult
    public func addHost(_ name: String, ip: String? = nil, mac: String? = nil) throws -> Node {
        try requireRunning()
        let t = topology
        try checkNewName(name, in: t, what: "host")
        var cidr: IPv4CIDR
        if let ip {
            guard let parsed = IPv4CIDR(ip, defaultPrefix: t.ipBase.prefixLength) else {
                throw TopologyError("host '\(name)' has ip '\(ip)', which is not an IPv4 address such as 10.0.0.1/8")
            }
            cidr = parsed
        } else {
            cidr = try nextFreeAddress(in: t)
        }
        if let other = t.hosts.first(where: { $0.kind != .router && $0.ip.address == cidr.address }) {
            throw TopologyError("host '\(name)' would have address \(cidr.address), which host '\(other.name)' has: give it another ip")
        }
        var parsedMAC: MACAddress?
        if let mac {
            guard let m = MACAddress(mac), !m.isMulticast, m.bytes != [0, 0, 0, 0, 0, 0] else {
                throw TopologyError("host '\(name)' has mac '\(mac)', which is not a unicast MAC address such as 00:00:00:00:00:01")
            }
            parsedMAC = m
        }
        var host = ResolvedHost(name: name, ip: cidr, mac: parsedMAC, ip6: nil, gateway: nil, interfaces: [])
        // The DNS settings the build gave the other end hosts.
        if let template = t.endHosts.first { host.dns = template.dns }
        let fd = try lock.withLock {
            _ = try makeHost(host)
            return hostNamespaces[name]!.fd
        }
        try placeProcesses(of: name, index: t.hosts.count, namespace: fd)
        updateTopology { $0.hosts.append(host) }
        try refreshHostsFiles()
        return try node(name)
    }

    /// Adds a Linux bridge switch with no ports yet.
    @discardableResult
    public func addSwitch(_ name: String, stp: Bool = false) throws -> Node {
        try requireRunning()
        let t = topology
        try checkNewName(name, in: t, what: "switch")
        try KernelLimits.checkInterfaceName(name, of: name, at: nil)
        let sw = ResolvedSwitch(name: name, kind: .lxbr, stp: stp, interfaces: [])
        try lock.withLock {
            guard let fs = fabricSocket else { throw NetworkError("the network is not running") }
            try makeSwitch(sw, using: fs)
        }
        updateTopology { $0.switches.append(sw) }
        return try node(name)
    }

    /// Links two nodes of the running network (hosts and Linux bridge switches; a user
    /// switch's ports are fixed when it starts). The interfaces are named and numbered as a
    /// build names them (`h3-eth0`, `s1-eth4`); a host's first interface gets its address.
    /// - Parameter shaping: the link's shaping (`LinkParams.parse(option:)` makes one from
    ///   "bw=10 delay=5ms"), applied to the egress of both ends.
    ///   - interfaces: the two ends' interface names (Mininet's `intfName1`, `intfName2`),
    ///     instead of the build's `NODE-ethPORT`.
    public func addLink(_ a: String, _ b: String, mtu: Int? = nil, shaping: LinkShaping? = nil,
                        interfaces names: (String, String)? = nil) throws {
        try requireRunning()
        let t = topology
        var ends: [Endpoint] = []
        for (i, n) in [a, b].enumerated() {
            guard let kind = t.kind(of: n) else {
                throw TopologyError("link \(a)-\(b) names '\(n)', which is not a node of this network (nodes: \(t.nodeNames.joined(separator: " ")))")
            }
            if kind == .switch, t.switches.first(where: { $0.name == n })?.kind == .user {
                throw TopologyError("link \(a)-\(b): '\(n)' is a user switch, whose ports are fixed when it starts; link a Linux bridge (lxbr) at runtime")
            }
            let used = kind == .host ? t.host(n)!.interfaces.count : t.switches.first { $0.name == n }!.interfaces.count
            let port = kind == .host ? used : used + 1
            let intf = names.map { i == 0 ? $0.0 : $0.1 } ?? "\(n)-eth\(port)"
            try KernelLimits.checkInterfaceName(intf, of: n, at: nil)
            let taken = kind == .host ? t.host(n)!.interfaces.contains(intf) : t.switches.contains { $0.interfaces.contains(intf) }
            if taken { throw TopologyError("link \(a)-\(b): interface '\(intf)' exists already; give another name") }
            ends.append(Endpoint(node: n, kind: kind, interface: intf, port: port))
        }
        guard a != b else { throw TopologyError("link \(a)-\(b) connects '\(a)' to itself: a link needs two different nodes") }
        if let mtu, !(68...65535).contains(mtu) { throw TopologyError("link \(a)-\(b) has mtu \(mtu); use a value from 68 to 65535") }
        if let shaping { try Self.checkKernel(shaping, "link \(a)-\(b)") }
        let link = ResolvedLink(a: ends[0], b: ends[1], mtu: mtu, shaping: shaping)
        // The new topology first (the link's host ends get the host's address on its first
        // interface), then the kernel; on failure the topology goes back.
        let before = t
        var after = t
        for e in ends {
            if e.kind == .host, let i = after.hosts.firstIndex(where: { $0.name == e.node }) {
                after.hosts[i].interfaces.append(e.interface)
                if e.port == 0 && after.hosts[i].kind != .router {
                    after.hosts[i].addresses[e.interface] = [.v4(after.hosts[i].ip)]
                }
            } else if let i = after.switches.firstIndex(where: { $0.name == e.node }) {
                after.switches[i].interfaces.append(e.interface)
            }
        }
        after.links.append(link)
        updateTopology { $0 = after }
        do {
            try lock.withLock {
                guard let fs = fabricSocket else { throw NetworkError("the network is not running") }
                for e in ends where e.kind == .host {
                    guard hostNamespaces[e.node] != nil else { throw NetworkError("the network is not running") }
                }
                let sockets = HostSockets { [unowned self] in self.hostNamespaces[$0]?.fd }
                try makeLink(link, in: TopologyIndex(after), fabric: fs, hostSockets: sockets)
            }
            try waitUntilForwarding([link])
        } catch {
            updateTopology { $0 = before }
            throw error
        }
    }

    private func requireRunning() throws {
        guard isRunning else { throw NetworkError("the network is not running") }
    }

    private func checkNewName(_ name: String, in t: ValidatedTopology, what: String) throws {
        guard Topology.isValidNodeName(name) else {
            throw TopologyError("\(what) name '\(name)' must \(Topology.nodeNameRule)")
        }
        if t.kind(of: name) != nil {
            throw TopologyError("there is a node named '\(name)' already: every host and switch needs its own name")
        }
    }

    /// ipbase + N for the lowest N from the number of end hosts + 1 that no host has: the
    /// address a build gives the next host (h3 after h1 and h2 is 10.0.0.3).
    private func nextFreeAddress(in t: ValidatedTopology) throws -> IPv4CIDR {
        let used = Set(t.hosts.map(\.ip.address.value))
        var n = UInt64(t.endHosts.count + 1)
        while n < t.ipBase.size - 1 {
            let a = IPv4Address(t.ipBase.network.value + UInt32(n))
            if !used.contains(a.value) { return IPv4CIDR(address: a, prefixLength: t.ipBase.prefixLength) }
            n += 1
        }
        throw TopologyError("ipbase \(t.ipBase) has no free address left for another host")
    }

    /// Rewrites the hosts files already written and the embedded server's zone, so that
    /// every host knows the new one by name.
    private func refreshHostsFiles() throws {
        dns?.update(zone: embeddedZone())
        let written = hostFilesLock.withLock { Array(hostFilesCache.keys) }
        for name in written {
            guard let h = topology.host(name) else { continue }
            try writeStateFile("\(name).hosts", hostsFileText(for: h))
        }
    }
}
