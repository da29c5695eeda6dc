import Foundation
import Glibc
import Namespaces

/// `kind: dns` hosts: a real DNS server, dnsmasq, runs inside the host and answers for
/// every node and the topology's records (A, AAAA, PTR, CNAME), authoritatively for the
/// topology's domain. It is a background process of the run, stopped at teardown; its
/// configuration and query log are in the run's state directory.
extension Network {
    /// The dnsmasq program, or nil when Debian's `dnsmasq-base` is not installed.
    public static var dnsmasqPath: String? { ProcessRuntime.resolve("dnsmasq") }

    /// Starts dnsmasq in every `dns` host and waits until each accepts queries.
    /// - Returns: each server's pid (for `DNSNodesService`).
    func startDNSNodes() throws -> [(String, pid_t)] {
        let servers = topology.hosts.filter { $0.kind == .dns }
        guard !servers.isEmpty else { return [] }
        guard Self.dnsmasqPath != nil else {
            throw NetworkError("host '\(servers[0].name)' is a dns node, which runs dnsmasq, and dnsmasq is not installed: apt-get install -y dnsmasq-base")
        }
        var pids: [(ResolvedHost, pid_t, String)] = []
        for s in servers {
            let argv = try dnsmasqArguments(for: s)
            let log = try stateFilePath("\(s.name).dnsmasq.out")
            pids.append((s, try startBackground(on: s.name, argv, output: log), log))
        }
        for (s, pid, log) in pids {
            let deadline = ContinuousClock.now + .seconds(5)
            while try tcpConnect(from: s.name, to: s.ip.address.description, port: 53, timeout: .milliseconds(100)) != "connected" {
                try checkInterrupted()
                if !isProcessAlive(pid) || ContinuousClock.now > deadline {
                    let out = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                    throw NetworkError("dnsmasq in dns node '\(s.name)' did not start: \(Self.excerpt(out))")
                }
                usleep(20_000)
            }
        }
        return pids.map { ($0.0.name, $0.1) }
    }

    /// dnsmasq's command line: no upstream, no machine files, every name from the
    /// generated hosts file, a query log in the state directory.
    func dnsmasqArguments(for server: ResolvedHost) throws -> [String] {
        var hosts = ""
        for h in topology.hosts {
            // The first name is the one PTR answers give: the full one when there is a domain.
            let names = (topology.domain.map { ["\(h.name).\($0)"] } ?? []) + [h.name]
            hosts += "\(h.ip.address)\t\(names.joined(separator: " "))\n"
            if let v6 = h.ip6?.address { hosts += "\(v6)\t\(names.joined(separator: " "))\n" }
        }
        var cnames: [String] = []
        for r in topology.records {
            switch r.value {
            case .address(let a): hosts += "\(a)\t\(r.name)\n"
            case .alias(let target): cnames.append("--cname=\(r.name),\(target)")
            }
        }
        let hostsFile = try writeStateFile("\(server.name).dnsmasq.hosts", hosts)
        let queryLog = try stateFilePath("\(server.name).dnsmasq.log")
        var argv = [Self.dnsmasqPath ?? "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                    "--no-poll", "--pid-file", "--user=root", "--addn-hosts=\(hostsFile)",
                    "--log-queries", "--log-facility=\(queryLog)", "--cache-size=0",
                    // Its own addresses only: 127.0.0.11 is the embedded server's, in every host.
                    "--bind-interfaces", "--listen-address=\(server.ip.address),127.0.0.1"]
        if let v6 = server.ip6?.address { argv.append("--listen-address=\(v6)") }
        if let d = topology.domain { argv += ["--local=/\(d)/", "--domain=\(d)"] }
        return argv + cnames
    }
}
