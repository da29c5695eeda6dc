import Controller
import Foundation

/// What the shell's `dpctl` and `switch` commands ask of the user switches.
extension Network {
    /// The service of the user switches, once `name` is known to be one of them.
    private func userSwitch(_ name: String) throws -> UserSwitchService {
        guard let s = topology.switches.first(where: { $0.name == name }) else { throw NetworkError("no switch '\(name)'") }
        guard s.kind == .user else {
            throw NetworkError("\(name) is a Linux bridge, which has no flow table or OpenFlow ports: use --switch user")
        }
        guard let service = userSwitches else { throw NetworkError("the network is not running") }
        return service
    }

    /// The flow entries of a user switch, as `ovs-ofctl dump-flows` prints them.
    public func dumpFlows(_ name: String) throws -> String {
        try userSwitch(name).dumpFlows(name)
    }

    /// The flows the kernel forwards for a user switch (its fast path), as `ovs-dpctl
    /// dump-flows` prints a datapath's.
    public func dumpKernelFlows(_ name: String) throws -> String {
        try userSwitch(name).dumpKernelFlows(name)
    }

    /// Port counters of a user switch, as `ovs-ofctl dump-ports` prints them.
    public func dumpPorts(_ name: String) throws -> String {
        try userSwitch(name).dumpPorts(name)
    }

    /// Flow entries of a user switch as values, for tests and scripts.
    public func flowCount(_ name: String) throws -> Int {
        try userSwitch(name).flowCount(name)
    }

    /// Stops a user switch (it forwards nothing, closes its controller connection and
    /// forgets its flows and MAC table, as a switch that is switched off), or starts it
    /// again (it reconnects to the controller with empty tables).
    public func setSwitch(_ name: String, running: Bool) throws {
        try userSwitch(name).setSwitch(name, running: running)
    }

    /// Each user switch with its controller connection: "connected (OpenFlow 1.3)" or
    /// "not connected". Empty without a controller.
    public func controllerStatus() -> [(switch: String, connected: Bool, detail: String)] {
        userSwitches?.controllerStatus() ?? []
    }

    /// The built-in controller's path between two hosts on user switches, as
    /// "h1 -> s2 (1 -> 3) -> s1 (1 -> 2) -> s3 (3 -> 1) -> h4"; nil without the built-in
    /// controller or when either host is not on a user switch.
    public func controllerPath(from a: String, to b: String) -> String? {
        guard let c = userSwitches?.controllerInstance else { return nil }
        func attachment(_ host: String) -> (sw: ResolvedSwitch, port: Int)? {
            for l in topology.links {
                for (e, o) in [(l.a, l.b), (l.b, l.a)] where e.node == host && o.kind == .switch {
                    if let s = topology.switches.first(where: { $0.name == o.node && $0.kind == .user }) { return (s, o.port) }
                }
            }
            return nil
        }
        guard let x = attachment(a), let y = attachment(b) else { return nil }
        guard let hops = c.path(from: x.sw.dpid, inPort: UInt32(x.port), to: y.sw.dpid, outPort: UInt32(y.port)) else {
            return "\(a) -> \(x.sw.name)  (the controller knows no path to \(y.sw.name))"
        }
        let names = Dictionary(topology.switches.map { ($0.dpid, $0.name) }, uniquingKeysWith: { a, _ in a })
        let middle = hops.map { "\(names[$0.dpid] ?? String($0.dpid, radix: 16)) (\($0.inPort) -> \($0.outPort))" }
        return ([a] + middle + [b]).joined(separator: " -> ")
    }

    /// The run's names for the web page: user switches by DPID ("00:00:00:00:00:00:00:01"),
    /// hosts by MAC (those with one set) and by IPv4 address.
    public func controllerNames() -> [String: [String: String]] {
        var switches: [String: String] = [:], macs: [String: String] = [:], ips: [String: String] = [:]
        for s in topology.switches where s.kind == .user { switches[SwitchConnection.text(s.dpid)] = s.name }
        for h in topology.hosts {
            if let m = h.mac { macs[m.description.lowercased()] = h.name }
            ips[h.ip.address.description] = h.name
        }
        return ["switches": switches, "hosts": macs, "hosts_by_ip": ips]
    }

    /// The run's links between user switches, as the web page compares them with the
    /// links the controller sees (one missing is down): "DPID:PORT-DPID:PORT" each, the
    /// lower end first.
    public func controllerLinkNames() -> [String] {
        let dpids = Dictionary(topology.switches.filter { $0.kind == .user }.map { ($0.name, $0.dpid) }, uniquingKeysWith: { a, _ in a })
        var out: [String] = []
        for l in topology.links {
            guard let a = dpids[l.a.node], let b = dpids[l.b.node] else { continue }
            let ends = [(a, l.a.port), (b, l.b.port)].sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            out.append(ends.map { "\(SwitchConnection.text($0.0)):\($0.1)" }.joined(separator: "-"))
        }
        return out.sorted()
    }

    /// The built-in controller while it runs (its REST answers, its modules), nil without it.
    public var builtinController: BuiltinController? { userSwitches?.controllerInstance }

    /// The built-in controller while it runs: its port on 127.0.0.1, its modules in load
    /// order, and every module's debug counters. Nil without it.
    public func builtinControllerReport() -> (port: Int, modules: [String], counters: [String: [String: UInt64]])? {
        guard let c = userSwitches?.controllerInstance else { return nil }
        return (c.port, c.moduleNames, c.counters.all)
    }
}
