import Foundation
import Netlink

/// Link shaping on a live network, and the kernel checks made before building.
extension Network {
    /// Changes the shaping of every link between `a` and `b` while the network runs
    /// (the shell's `link A B bw=5`). Equivalent to `tc qdisc replace` on both ends.
    public func setShaping(_ a: String, _ b: String, _ shaping: LinkShaping) throws {
        let matches = topology.links.filter { ($0.a.node == a && $0.b.node == b) || ($0.a.node == b && $0.b.node == a) }
        if matches.isEmpty { throw NetworkError("no link between '\(a)' and '\(b)'") }
        let user = Set(topology.switches.filter { $0.kind == .user }.map(\.name))
        var kernelLinks: [ResolvedLink] = []
        for l in matches {
            guard user.contains(l.a.node) || user.contains(l.b.node) else { kernelLinks.append(l); continue }
            // The user switch shapes its links itself: its ports get the new shaping (and a
            // port facing a non-user node also shapes what arrives, for that node's egress).
            for (e, other) in [(l.a, l.b), (l.b, l.a)] where user.contains(e.node) {
                userSwitches?.reshape(port: e.interface, egress: shaping, ingress: user.contains(other.node) ? nil : shaping)
            }
        }
        if kernelLinks.isEmpty { return }
        try Self.checkKernel(shaping, "link \(a)-\(b)")
        for l in kernelLinks {
            for e in [l.a, l.b] {
                try routeSocket(for: e.node).shape(index: interfaceIndex(e.interface)!, name: e.interface, mtu: l.mtu ?? 1500, shaping.egress)
            }
        }
    }

    /// Refuses, before anything is built, link parameters the kernel cannot honour, a
    /// topology that needs more open files than the process may have, and programs the
    /// topology needs that are not installed.
    /// - Throws: `NetworkError` naming the link, the parameter, the missing queueing
    ///   discipline and the alternative (or the files needed, or the program).
    public static func checkKernelSupport(for topology: ValidatedTopology) throws {
        try checkOpenFileLimit(for: topology)
        let user = Set(topology.switches.filter { $0.kind == .user }.map(\.name))
        for l in topology.links where !user.contains(l.a.node) && !user.contains(l.b.node) {
            // Links of user switches are shaped by the switch itself, not by the kernel.
            if let s = l.shaping { try checkKernel(s, "link \(l.a.node)-\(l.b.node)") }
        }
        // The programs the topology itself needs, before anything is built.
        if let mode = topology.routing, mode != .static, !frrInstalled {
            throw NetworkError("routing: \(mode.rawValue) runs FRR (zebra, \(mode == .ospf ? "ospfd" : "bgpd")) on the routers, and FRR is not installed: apt-get install -y frr")
        }
        if let dns = topology.hosts.first(where: { $0.kind == .dns }), dnsmasqPath == nil {
            throw NetworkError("host '\(dns.name)' is a dns node, which runs dnsmasq, and dnsmasq is not installed: apt-get install -y dnsmasq-base")
        }
    }

    static func checkKernel(_ s: LinkShaping, _ what: String) throws {
        let support = try kernelQdiscs()
        if s.needsNetem && !support.netem {
            let params = s.netemParameters.joined(separator: ", ")
            throw NetworkError("\(what) asks for \(params), which needs the kernel's netem queueing discipline (sch_netem), missing on this kernel: load it (modprobe sch_netem) where it exists, or use swiftnet's userspace switch, which applies delay, jitter and loss itself (--switch user, or kind: user on the switches); bw works here")
        }
        if s.bandwidthMbps != nil && !(s.useTBF ? support.tbf : support.htb) {
            throw NetworkError("\(what) asks for bw, which needs the kernel's \(s.useTBF ? "tbf (sch_tbf)" : "htb (sch_htb)") queueing discipline, missing on this kernel")
        }
    }

    nonisolated(unsafe) private static var probed: KernelQdiscs?
    private static let probeLock = NSLock()

    /// What the kernel can shape with, probed once per process.
    public static func kernelQdiscs() throws -> KernelQdiscs {
        probeLock.lock()
        defer { probeLock.unlock() }
        if let p = probed { return p }
        let q = try QdiscSupport.probe()
        let p = KernelQdiscs(htb: q.htb, tbf: q.tbf, netem: q.netem)
        probed = p
        return p
    }
}

/// The queueing disciplines the running kernel can create, which link shaping needs.
public struct KernelQdiscs: Sendable, Hashable {
    /// htb (sch_htb): `bw` on a link.
    public var htb: Bool
    /// tbf (sch_tbf): `bw` with a token bucket.
    public var tbf: Bool
    /// netem (sch_netem): `delay`, `jitter` and `loss`.
    public var netem: Bool

    public init(htb: Bool, tbf: Bool, netem: Bool) {
        self.htb = htb
        self.tbf = tbf
        self.netem = netem
    }
}

extension LinkShaping {
    /// The same shaping in the netlink layer's terms.
    var egress: EgressShaping {
        var e = EgressShaping()
        e.bitsPerSecond = bandwidthMbps.map { UInt64($0 * 1_000_000) }
        e.useTBF = useTBF
        e.queuePackets = maxQueue
        e.delayMicroseconds = delayMicroseconds
        e.jitterMicroseconds = jitterMicroseconds
        e.lossPercent = lossPercent
        return e
    }
}

