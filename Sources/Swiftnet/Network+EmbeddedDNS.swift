import DNS
import Foundation
import Glibc
import Namespaces
import NIOCore
import NIOPosix

/// The embedded DNS server: one SwiftNIO event loop in swiftnet's own process answers
/// on 127.0.0.11:53 (UDP and TCP) inside every host, for every node (`web`, and
/// `web.<domain>`), the topology's `records` (A, AAAA, CNAME) and the reverse names
/// (PTR); anything else is NXDOMAIN. A socket belongs to the namespace it was made in,
/// so each host's listening pair is made on a thread that entered the host; the event
/// loop serves them all. The server and its listeners are the `EmbeddedDNSService`'s.
extension Network {
    /// The zone the embedded server answers from.
    public func embeddedZone() -> DNSZone { Self.embeddedZone(of: topology) }

    /// The zone the embedded server answers from for `topology`.
    static func embeddedZone(of topology: ValidatedTopology) -> DNSZone {
        var zone = DNSZone(ttl: 30, soaName: (topology.domain ?? "swiftnet") + ".")
        for h in topology.hosts {
            var names = [h.name]
            if let d = topology.domain { names.insert("\(h.name).\(d)", at: 0) }
            // A pod's service name, as cluster DNS answers it: NAME.NAMESPACE.svc.DOMAIN.
            if let d = topology.clusterDomain { names.append("\(h.name).\(h.namespace).svc.\(d)") }
            for n in names {
                zone.addAddress(n, h.ip.address.description)
                if let v6 = h.ip6?.address { zone.addAddress(n, v6.description) }
            }
        }
        for r in topology.records {
            switch r.value {
            case .address(let a): zone.addAddress(r.name, a.description)
            case .alias(let target): zone.addAlias(r.name, target: target)
            }
        }
        return zone
    }

    /// Makes sure the embedded server listens inside `host`.
    func ensureEmbeddedDNS(in host: String) throws {
        guard let dns, topology.kind(of: host) == .host else { return }
        let addresses = topology.host(host)?.dns.embeddedAddresses.map(\.description) ?? []
        try dns.listen(in: host, namespace: namespaceFD(of: host),
                       addresses: addresses.isEmpty ? [ResolvedDNS.embeddedServerAddress] : addresses)
    }

    /// Queries answered by the embedded server so far.
    public var embeddedDNSQueries: Int { dns?.queriesAnswered ?? 0 }

    /// Sends one DNS query from inside `node` to `server` (a host, an address, or
    /// "embedded") over UDP, as `dig @server name type +norecurse` would, no search list.
    public func dnsQuery(from node: String, server: String, name: String, type: DNSRecordType,
                         timeout: Duration = .seconds(2)) throws -> DNSMessage {
        let address: String
        if server == "embedded" {
            try ensureEmbeddedDNS(in: node)
            address = ResolvedDNS.embeddedServerAddress
        } else {
            address = try self.address(of: server)
        }
        guard let target = SocketAddress(address, port: 53) else { throw NetworkError("'\(address)' is not an address") }
        let fd = try withNetworkNamespace(namespaceFD(of: node)) {
            socket(target.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        guard fd >= 0 else { throw NetworkError("cannot open a UDP socket in \(node): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard target.connect(fd) == 0 else { throw NetworkError("cannot reach \(address) from \(node): \(String(cString: strerror(errno)))") }
        let id = UInt16.random(in: 1...UInt16.max)
        let query = try DNSMessage.query(id: id, name: name, type: type, recursionDesired: false).encode()
        guard send(fd, query, query.count, 0) == query.count else {
            throw NetworkError("cannot send a DNS query from \(node) to \(address): \(String(cString: strerror(errno)))")
        }
        let deadline = ContinuousClock.now + timeout
        var buf = [UInt8](repeating: 0, count: 65535)
        while true {
            let left = deadline - ContinuousClock.now
            if left <= .zero { throw NetworkError("no answer from \(address) within \(formatDuration(timeout))") }
            try checkInterrupted()
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, min(100, milliseconds(left))) <= 0 { continue }
            let n = recv(fd, &buf, buf.count, 0)
            if n < 0 {
                throw NetworkError("no answer from \(address): \(String(cString: strerror(errno)))")
            }
            guard let reply = try? DNSMessage(bytes: Array(buf[0..<n])), reply.id == id, reply.qr else { continue }
            return reply
        }
    }

    /// `dig +search`: the names `node`'s resolv.conf makes of `name`, asked in its
    /// resolver's order of `server` ("resolv.conf": its first nameserver) until one has
    /// an answer; the observation lists every name asked and what came back.
    func digSearch(on node: String, server: String, name: String, type: String, expect: ResolveExpectation,
                   expectName: String?) throws -> Observation {
        guard let path = try hostFiles(of: node).resolvConf, let file = try? String(contentsOfFile: path, encoding: .utf8) else {
            return Observation(passed: false, expected: expect.text, observed: "\(node) has no resolv.conf of swiftnet's to read")
        }
        let conf = ResolvConfFile(text: file)
        let options = conf.options
        var target = server
        if server == "resolv.conf" {
            guard let first = conf.nameservers.first else {
                return Observation(passed: false, expected: expect.text, observed: "\(node)'s resolv.conf names no nameserver")
            }
            target = first
        }
        if topology.host(node)?.dns.embeddedAddresses.contains(where: { $0.description == target }) == true {
            try ensureEmbeddedDNS(in: node)
        }
        let names = ResolverRules.searchCandidates(name: name, search: conf.resolverSearch, ndots: ResolverRules.ndots(options))
        var asked: [String] = []
        var last = Observation(passed: false, expected: expect.text, observed: "")
        var answeredBy: String?
        for n in names {
            try checkInterrupted()
            let o: Observation
            do {
                o = try dig(on: node, server: target, name: n, type: type, expect: expect)
            } catch {
                asked.append("\(n): \(error)")
                break
            }
            asked.append("\(n): \(o.observed)")
            last = o
            // A resolver goes on to the next name on NXDOMAIN and on an empty answer.
            if o.observed != "nxdomain" && !o.observed.hasPrefix("no ") && !o.observed.hasPrefix("rcode") {
                answeredBy = n
                break
            }
        }
        var passed = last.passed
        var expected = expect.text
        if let want = expectName {
            expected += " from \(Self.plainName(want))"
            passed = passed && answeredBy.map { Self.plainName($0) == Self.plainName(want) } == true
        }
        if case .nxdomain = expect { passed = answeredBy == nil && !asked.isEmpty && asked.allSatisfy { $0.hasSuffix(": nxdomain") } }
        return Observation(passed: passed, expected: expected,
                           observed: "asked @\(target) in order: " + asked.joined(separator: "; "))
    }

    func dig(on node: String, server: String, name: String, type: String, expect: ResolveExpectation) throws -> Observation {
        let t: DNSRecordType
        switch type {
        case "A": t = .a
        case "AAAA": t = .aaaa
        case "PTR": t = .ptr
        case "CNAME": t = .cname
        case "NS": t = .ns
        case "SOA": t = .soa
        case "TXT": t = .txt
        default: t = .any
        }
        var qname = name
        if t == .ptr, let reverse = DNSAddress.reverseName(name) { qname = reverse }
        let reply = try dnsQuery(from: node, server: server, name: qname, type: t)
        let values = reply.answers.compactMap { r -> String? in
            if let a = r.data.address { return a }
            if let n = r.data.targetName { return Self.plainName(n) }
            return r.data.texts?.joined(separator: " ")
        }
        let observed = reply.rcode == .nxDomain ? "nxdomain"
            : reply.rcode != .noError ? "rcode \(reply.rcode)"
            : values.isEmpty ? "no \(type) records" : values.joined(separator: ", ")
        switch expect {
        case .nxdomain:
            return Observation(passed: reply.rcode == .nxDomain, expected: "nxdomain", observed: observed)
        case .anyAddress:
            return Observation(passed: reply.rcode == .noError && !values.isEmpty, expected: "an answer", observed: observed)
        case .addresses(let want):
            let ok = reply.rcode == .noError && want.allSatisfy { w in
                values.contains { Self.sameAddress($0, w) || Self.plainName($0) == Self.plainName(w) }
            }
            return Observation(passed: ok, expected: want.joined(separator: ", "), observed: observed)
        }
    }

    /// A name lowercased, without its trailing dot.
    static func plainName(_ n: String) -> String {
        var s = n.lowercased()
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
