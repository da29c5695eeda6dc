/// Linux's limit on interface names (IFNAMSIZ - 1); see `KernelLimits`.
public let maxInterfaceNameLength = KernelLimits.interfaceNameLength

extension Topology {
    /// What a topology's or a run's name may be, as messages say it.
    public static let runNameRule = "1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit"

    /// Whether `name` can name a topology or a run. It becomes part of file names
    /// (`/run/netns/<run>-<node>`, `/run/swiftnet/<run>.run`), so no '/' and well under
    /// NAME_MAX (255 bytes).
    public static let nodeNameRule = "start with a letter and use only letters, digits, '_', '-' and '.'"

    /// A host's or switch's name: it names interfaces, files and shell words.
    public static func isValidNodeName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == ".") }
    }

    public static func isValidRunName(_ name: String) -> Bool {
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        return name.utf8.count <= 64 && name.first.map(alnum) == true
            && name.allSatisfy({ alnum($0) || $0 == "-" || $0 == "_" || $0 == "." })
    }

    /// Checks everything that can be checked without the kernel and resolves defaults.
    ///
    /// - Parameters:
    ///   - autoMAC: give hosts Mininet's `--mac` addresses (00:00:00:00:00:0N).
    ///   - allowUnlinkedHosts: a host without a link is not a mistake (Mininet's API makes
    ///     hosts first and may link them only once the network runs).
    /// - Throws: `TopologyError` for the first problem, with its source location.
    public func validated(autoMAC: Bool = false, allowUnlinkedHosts: Bool = false) throws -> ValidatedTopology {
        let whole = location
        guard var base = IPv4CIDR(ipBase), base.prefixLength <= 30 else {
            throw TopologyError("ipbase '\(ipBase)' is not an IPv4 network with a prefix of at most /30, such as 10.0.0.0/8", at: whole)
        }
        base.address = base.network
        guard Topology.isValidRunName(name) else {
            throw TopologyError("topology name '\(name)' must be \(Topology.runNameRule)", at: whole)
        }
        var seen: [String: SourceLocation?] = [:]
        func checkName(_ name: String, _ what: String, _ loc: SourceLocation?) throws {
            guard Topology.isValidNodeName(name) else {
                throw TopologyError("\(what) name '\(name)' must \(Topology.nodeNameRule)", at: loc)
            }
            if let other = seen[name] {
                let whereText = other.map { " (first defined at \($0))" } ?? ""
                throw TopologyError("duplicate node name '\(name)'\(whereText): every host and switch needs its own name", at: loc)
            }
            seen[name] = loc
        }
        for h in hosts { try checkName(h.name, "host", h.location) }
        for s in switches { try checkName(s.name, "switch", s.location) }

        let hostNames = Set(hosts.map(\.name))
        let switchNames = Set(switches.map(\.name))
        func kind(_ n: String) -> NodeKind? {
            hostNames.contains(n) ? .host : switchNames.contains(n) ? .switch : nil
        }

        // Ports in link order: hosts from 0, switches from 1 (Mininet's Topo.addPort).
        var nextPort: [String: Int] = [:]
        var interfaces: [String: [String]] = [:]
        var switchInterfaces: [String: String] = [:]
        var links: [ResolvedLink] = []
        for l in self.links {
            for n in [l.a, l.b] where kind(n) == nil {
                throw TopologyError("link \(l.a)-\(l.b) names '\(n)', which is not a host or switch of this topology", at: l.location)
            }
            if l.a == l.b {
                throw TopologyError("link \(l.a)-\(l.b) connects '\(l.a)' to itself: a link needs two different nodes", at: l.location)
            }
            if let mtu = l.mtu, !(68...65535).contains(mtu) {
                throw TopologyError("link \(l.a)-\(l.b) has mtu \(mtu); use a value from 68 to 65535", at: l.location)
            }
            var ends: [Endpoint] = []
            for (i, n) in [l.a, l.b].enumerated() {
                let k = kind(n)!
                let port = nextPort[n] ?? (k == .host ? 0 : 1)
                nextPort[n] = port + 1
                let intf = l.interfaceNames.count == 2 ? l.interfaceNames[i] : "\(n)-eth\(port)"
                try KernelLimits.checkInterfaceName(intf, of: n, at: l.location)
                // Every switch's ports share the fabric's namespace; a host's are its own.
                let clash = k == .switch ? switchInterfaces[intf] : interfaces[n]?.contains(intf) == true ? n : nil
                if let other = clash {
                    throw TopologyError("link \(l.a)-\(l.b) names interface '\(intf)' of '\(n)', which '\(other)' has already; give each interface its own name", at: l.location)
                }
                if k == .switch { switchInterfaces[intf] = n }
                interfaces[n, default: []].append(intf)
                ends.append(Endpoint(node: n, kind: k, interface: intf, port: port))
            }
            let shaping = try l.params.resolved("link \(l.a)-\(l.b)", at: l.location)
            links.append(ResolvedLink(a: ends[0], b: ends[1], mtu: l.mtu, shaping: shaping))
        }

        // Addresses: the N-th host in natural order gets ipBase + N unless it has its own.
        let ordered = hosts.filter { $0.kind != .router }.sorted { naturalLess($0.name, $1.name) }
        var used: [UInt32: String] = [:]
        var outHosts: [ResolvedHost] = []
        var usedMACs: [MACAddress: String] = [:]
        for (i, h) in ordered.enumerated() {
            guard interfaces[h.name] != nil || allowUnlinkedHosts else {
                throw TopologyError("host '\(h.name)' has no link: connect it to a switch or another host", at: h.location)
            }
            let ip: IPv4CIDR
            if let text = h.ip {
                guard let parsed = IPv4CIDR(text, defaultPrefix: base.prefixLength) else {
                    throw TopologyError("host '\(h.name)' has ip '\(text)', which is not an IPv4 address such as 10.0.0.1/8", at: h.location)
                }
                if parsed.prefixLength <= 30 && (parsed.address == parsed.network || parsed.address.value == parsed.network.value | ~parsed.mask) {
                    throw TopologyError("host '\(h.name)' has ip \(parsed), the network or broadcast address of its subnet: pick an address inside it", at: h.location)
                }
                ip = parsed
            } else {
                let n = UInt64(i + 1)
                guard n < base.size - 1 else {
                    throw TopologyError("ipbase \(base) has room for \(base.size - 2) hosts; this topology has \(hosts.count): use a larger ipbase such as 10.0.0.0/8", at: whole)
                }
                ip = IPv4CIDR(address: IPv4Address(base.network.value + UInt32(n)), prefixLength: base.prefixLength)
            }
            if let other = used[ip.address.value] {
                throw TopologyError("host '\(h.name)' has address \(ip.address), which host '\(other)' has too: give one of them another ip", at: h.location)
            }
            used[ip.address.value] = h.name
            var mac: MACAddress?
            if let text = h.mac {
                guard let m = MACAddress(text) else {
                    throw TopologyError("host '\(h.name)' has mac '\(text)', which is not a MAC address such as 00:00:00:00:00:01", at: h.location)
                }
                guard !m.isMulticast, m.bytes != [0, 0, 0, 0, 0, 0] else {
                    throw TopologyError("host '\(h.name)' has mac \(m), a multicast or all-zero address: use a unicast one (first byte even)", at: h.location)
                }
                mac = m
            } else if autoMAC {
                mac = MACAddress(hostNumber: UInt64(i + 1))  // Mininet: the host's sequence number
            }
            if let m = mac {
                if let other = usedMACs[m] {
                    throw TopologyError("host '\(h.name)' has mac \(m), which host '\(other)' has too", at: h.location)
                }
                usedMACs[m] = h.name
            }
            var ip6: IPv6CIDR?
            if let v6 = h.ip6 {
                guard let parsed = IPv6CIDR(v6) else {
                    throw TopologyError("host '\(h.name)' has ip6 '\(v6)', which is not an IPv6 address with a prefix such as fd00::1/64", at: h.location)
                }
                ip6 = parsed
            }
            var gateway: IPv4Address?
            if let g = h.gateway {
                guard let a = IPv4Address(g) else {
                    throw TopologyError("host '\(h.name)' has gateway '\(g)', which is not an IPv4 address", at: h.location)
                }
                // Whether it is on one of the host's subnets is checked with all the
                // interfaces' addresses known (resolveAddressing).
                gateway = a
            }
            outHosts.append(ResolvedHost(name: h.name, kind: h.kind, ip: ip, mac: mac, ip6: ip6, gateway: gateway, interfaces: interfaces[h.name] ?? []))
        }
        // Routers: their addresses come from their links (resolveAddressing).
        for r in hosts.filter({ $0.kind == .router }).sorted(by: { naturalLess($0.name, $1.name) }) {
            guard let intfs = interfaces[r.name] else {
                throw TopologyError("router '\(r.name)' has no link: connect it to a switch, a host or another router", at: r.location)
            }
            if r.ip != nil || r.mac != nil || r.ip6 != nil || r.gateway != nil {
                throw TopologyError("router '\(r.name)': give its addresses per link, such as `{endpoints: [\(r.name), r2], ips: [10.1.0.1/30, 10.1.0.2/30]}`, or use autoaddress: true", at: r.location)
            }
            outHosts.append(ResolvedHost(name: r.name, kind: .router, ip: IPv4CIDR(address: IPv4Address(0), prefixLength: 32),
                                         mac: nil, ip6: nil, gateway: nil, interfaces: intfs, asn: r.asn))
        }

        // Loops among switches: a switch-switch link joining two already-joined switches.
        var parent: [String: String] = [:]
        func root(_ n: String) -> String {
            var x = n
            while let p = parent[x], p != x { x = p }
            return x
        }
        var loopLink: ResolvedLink?
        for l in links where l.a.kind == .switch && l.b.kind == .switch {
            let ra = root(l.a.node), rb = root(l.b.node)
            if ra == rb { loopLink = loopLink ?? l } else { parent[ra] = rb }
        }
        var outSwitches: [ResolvedSwitch] = []
        var dpids: [UInt64: String] = [:]
        for s in switches.sorted(by: { naturalLess($0.name, $1.name) }) {
            if s.kind == .user, let l = loopLink, controller == nil {
                throw TopologyError("switch '\(s.name)' is a user switch without a controller, and link \(l.a.node)-\(l.b.node) closes a loop among the switches: a learning switch would flood the loop forever; use kind lxbr (kernel STP), or a controller that handles loops (--controller builtin, or remote,...)", at: s.location)
            }
            if s.kind != .user && (s.dpid != nil || s.protocols != nil || s.failMode != nil) {
                throw TopologyError("switch '\(s.name)' is a Linux bridge: dpid, protocols and failmode are OpenFlow settings of kind user", at: s.location)
            }
            if s.stp == false, let l = loopLink {
                throw TopologyError("switch '\(s.name)' has stp off, but link \(l.a.node)-\(l.b.node) closes a loop among the switches and would flood it forever: remove 'stp: false' or the link", at: s.location)
            }
            var r = ResolvedSwitch(name: s.name, kind: s.kind, stp: s.kind == .lxbr && (s.stp ?? (loopLink != nil)), interfaces: interfaces[s.name] ?? [])
            if s.kind == .lxbr {
                // The bridge is an interface of its own, even without ports.
                try KernelLimits.checkInterfaceName(s.name, of: s.name, at: s.location)
                try KernelLimits.checkBridgePorts(s.name, ports: r.interfaces.count, at: s.location)
            }
            if s.kind == .user {
                if s.stp == true {
                    throw TopologyError("switch '\(s.name)': the user switch has no spanning tree; with a loop, leave loop handling to the controller, or use kind lxbr with stp", at: s.location)
                }
                // The numbers in the name, as Mininet's: s12 is 12; the torus's s2x3 is 0x203.
                let numbers = s.name.split(whereSeparator: { !$0.isNumber }).compactMap { UInt64($0) }
                let fromName = numbers.isEmpty ? nil : numbers.dropFirst().reduce(numbers[0]) { $0 << 8 | ($1 & 0xFF) }
                guard let dpid = s.dpid ?? fromName, dpid != 0 else {
                    throw TopologyError("switch '\(s.name)' needs a dpid: its name has no number to take one from; set dpid: N (hex)", at: s.location)
                }
                if let other = dpids[dpid] {
                    throw TopologyError("switch '\(s.name)' has dpid \(formatDPID(dpid)), already the dpid of '\(other)': give each switch its own dpid", at: s.location)
                }
                dpids[dpid] = s.name
                r.dpid = dpid
                if let p = s.protocols {
                    guard !p.isEmpty else { throw TopologyError("switch '\(s.name)': protocols is empty; give OpenFlow10, OpenFlow13 or both", at: s.location) }
                    r.protocols = Array(Set(p)).sorted()
                }
                r.failMode = s.failMode ?? .secure
            }
            outSwitches.append(r)
        }
        var out = ValidatedTopology(name: name, ipBase: base, hosts: outHosts, switches: outSwitches, links: links, hasLoop: loopLink != nil)
        if controller != nil && !outSwitches.contains(where: { $0.kind == .user }) {
            throw TopologyError("a controller is set, but only user switches talk to a controller, and this topology has none: make the switches kind user (--switch user)", at: location)
        }
        out.controller = controller
        try resolveAddressing(into: &out)
        try resolveDNS(into: &out)
        out.experiment = try checkedExperiment(against: out)
        return out
    }
}
