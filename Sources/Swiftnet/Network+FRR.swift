import Foundation
import Glibc
import Namespaces

/// Dynamic routing with FRR: `routing: ospf` runs zebra, ospfd (and ospf6d for IPv6)
/// on every router; `routing: bgp` runs zebra and bgpd, eBGP with every neighbouring
/// router. Each router's configuration, pid files, vty and zserv sockets and logs are in
/// `<state>/frr-<router>/`; nothing is written under /etc/frr or /var/run/frr, and FRR's
/// crash-log directory (/var/tmp/frr) is a private tmpfs of each daemon. The daemons run
/// as the `frr` user (FRR refuses root outside its `frrvty` group), are processes of the
/// run, and are killed at stop like any other.
extension Network {
    /// Where Debian's `frr` package puts the daemons.
    public static let frrDaemons = "/usr/lib/frr"
    /// True when FRR's daemons are installed.
    public static var frrInstalled: Bool { access("\(frrDaemons)/zebra", X_OK) == 0 }

    /// Starts FRR on every router, per `topology.routing`.
    /// - Returns: the daemons started on each router (for `FRRService`).
    func startRouting() throws -> [String: [String]] {
        guard let mode = topology.routing, mode != .static else { return [:] }
        var started: [String: [String]] = [:]
        guard Self.frrInstalled else {
            throw NetworkError("routing: \(mode.rawValue) runs FRR on the routers, and FRR is not installed: apt-get install -y frr")
        }
        guard let frr = getpwnam("frr") else {
            throw NetworkError("routing: \(mode.rawValue): the 'frr' user does not exist; reinstall FRR: apt-get install --reinstall -y frr")
        }
        let uid = frr.pointee.pw_uid, gid = frr.pointee.pw_gid
        var zebras: [(String, String)] = []
        for r in topology.routers {
            let dir = try frrDirectory(for: r.name)
            guard chown(dir, uid, gid) == 0 else { throw NetworkError("chown \(dir): \(String(cString: strerror(errno)))") }
            for (daemon, text) in frrConfigs(for: r, mode: mode) {
                let path = "\(dir)/\(daemon).conf"
                guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw NetworkError("cannot write \(path)") }
                _ = chown(path, uid, gid)
            }
            try startDaemon("zebra", on: r.name, dir: dir)
            started[r.name, default: []].append("zebra")
            zebras.append((r.name, dir))
        }
        for (router, dir) in zebras {
            let deadline = ContinuousClock.now + .seconds(10)
            while access("\(dir)/zserv.api", F_OK) != 0 {
                try checkInterrupted()
                if ContinuousClock.now > deadline {
                    let log = (try? String(contentsOfFile: "\(dir)/zebra.out", encoding: .utf8)) ?? ""
                    throw NetworkError("zebra did not start on router \(router): \(Self.excerpt(log)) (see \(dir)/zebra.log)")
                }
                usleep(10_000)
            }
            let r = topology.host(router)!
            for daemon in frrConfigs(for: r, mode: mode).map(\.0) where daemon != "zebra" {
                try startDaemon(daemon, on: router, dir: dir)
                started[router, default: []].append(daemon)
            }
        }
        return started
    }

    /// The router's FRR directory in the state directory, removed with all that the
    /// daemons wrote in it when the run ends.
    func frrDirectory(for router: String) throws -> String {
        try state.subdirectory("frr-\(router)")
    }

    func startDaemon(_ daemon: String, on router: String, dir: String) throws {
        let argv = ["\(Self.frrDaemons)/\(daemon)", "-f", "\(dir)/\(daemon).conf", "-i", "\(dir)/\(daemon).pid",
                    "-z", "\(dir)/zserv.api", "--vty_socket", dir, "-u", "frr", "-g", "frr", "-P", "0",
                    "--log", "file:\(dir)/\(daemon).log"]
        var files = try hostFiles(of: router)
        files.privateTmpfs = "/var/tmp/frr"
        _ = try runtime().startBackground(argv, netns: namespaceFD(of: router), output: "\(dir)/\(daemon).out", files: files)
    }

    /// `vtysh -c COMMAND` against a router's daemons, inside the router (where
    /// /var/run/frr is the router's own FRR directory, so `r1 vtysh` works in the shell too).
    public func vtysh(on router: String, _ command: String) throws -> ProcessResult {
        guard topology.host(router)?.isRouter == true else { throw NetworkError("'\(router)' is not a router") }
        return try run(on: router, ["vtysh", "-c", command], timeout: .seconds(10))
    }

    /// Routers other than `r` that have an address in the subnet of `cidr`, with that address.
    func neighbours(of r: ResolvedHost, on cidr: IPCIDR) -> [(ResolvedHost, IPAddress)] {
        var out: [(ResolvedHost, IPAddress)] = []
        for other in topology.routers where other.name != r.name {
            for c in other.addresses.values.flatMap({ $0 }) where cidr.contains(c.address) {
                out.append((other, c.address))
            }
        }
        return out
    }

    /// Each daemon's configuration for router `r`, zebra first.
    func frrConfigs(for r: ResolvedHost, mode: RoutingMode) -> [(String, String)] {
        let cidrs = r.interfaces.map { ($0, r.addresses[$0] ?? []) }
        let routerID = r.ip.address.description
        var configs = [("zebra", "hostname \(r.name)\n!\n")]
        switch mode {
        case .ospf:
            var ospf = "hostname \(r.name)\n!\n"
            var networks: [String] = []
            var ospf6 = "hostname \(r.name)\n!\n"
            var hasV6 = false
            for (intf, list) in cidrs {
                let v4 = list.compactMap(\.v4)
                let v6 = list.compactMap(\.v6).filter { !$0.address.isLinkLocal }
                let routersOnLink = list.flatMap { neighbours(of: r, on: $0) }.map(\.0.name)
                let p2p = Set(routersOnLink).count == 1 && v4.allSatisfy { $0.prefixLength >= 30 }
                    && !topology.links.contains { l in (l.a.interface == intf || l.b.interface == intf) && (l.a.kind == .switch || l.b.kind == .switch) }
                if !v4.isEmpty {
                    ospf += "interface \(intf)\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n"
                    if p2p { ospf += " ip ospf network point-to-point\n" }
                    if routersOnLink.isEmpty { ospf += " ip ospf passive\n" }
                    ospf += "!\n"
                    networks += v4.map { "\(IPv4CIDR(address: $0.network, prefixLength: $0.prefixLength))" }
                }
                if !v6.isEmpty {
                    hasV6 = true
                    ospf6 += "interface \(intf)\n ipv6 ospf6 area 0.0.0.0\n ipv6 ospf6 hello-interval 1\n ipv6 ospf6 dead-interval 4\n"
                    if p2p { ospf6 += " ipv6 ospf6 network point-to-point\n" }
                    if routersOnLink.isEmpty { ospf6 += " ipv6 ospf6 passive\n" }
                    ospf6 += "!\n"
                }
            }
            // LSAs go out and are taken at once: with FRR's defaults (5 s between LSAs,
            // 1 s minimum arrival) a lost LSA waits 5 s to be resent.
            ospf += "router ospf\n ospf router-id \(routerID)\n timers throttle spf 0 50 500\n timers throttle lsa all 0\n timers lsa min-arrival 0\n"
            for n in networks { ospf += " network \(n) area 0.0.0.0\n" }
            ospf += "!\n"
            configs.append(("ospfd", ospf))
            if hasV6 {
                ospf6 += "router ospf6\n ospf6 router-id \(routerID)\n timers throttle spf 0 50 500\n timers lsa min-arrival 0\n!\n"
                configs.append(("ospf6d", ospf6))
            }
        case .bgp:
            var bgp = "hostname \(r.name)\n!\nrouter bgp \(r.asn ?? 65000)\n bgp router-id \(routerID)\n"
            bgp += " no bgp ebgp-requires-policy\n no bgp network import-check\n"
            var v4n: [String] = [], v6n: [String] = []
            for (_, list) in cidrs {
                for c in list where c.v6?.address.isLinkLocal != true {
                    for (other, addr) in neighbours(of: r, on: c) {
                        bgp += " neighbor \(addr) remote-as \(other.asn ?? 65000)\n neighbor \(addr) timers 1 3\n neighbor \(addr) timers connect 1\n"
                        if addr.isIPv6 { v6n.append(addr.description) } else { v4n.append(addr.description) }
                    }
                }
            }
            bgp += " !\n address-family ipv4 unicast\n  redistribute connected\n"
            for n in v6n { bgp += "  no neighbor \(n) activate\n" }
            bgp += " exit-address-family\n"
            if !v6n.isEmpty {
                bgp += " !\n address-family ipv6 unicast\n  redistribute connected\n"
                for n in v6n { bgp += "  neighbor \(n) activate\n" }
                bgp += " exit-address-family\n"
            }
            bgp += "!\n"
            configs.append(("bgpd", bgp))
        case .static:
            break
        }
        return configs
    }
}
