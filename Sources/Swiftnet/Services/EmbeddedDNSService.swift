import DNS
import Foundation
import Glibc
import Namespaces
import Netlink
import NIOPosix

/// The embedded DNS server: one SwiftNIO event loop in swiftnet's own process answers on
/// 127.0.0.11:53 (UDP and TCP) inside every host that uses it (see Network+EmbeddedDNS).
/// Listeners are made when a host first runs a program (or is asked with `dig`), so
/// hosts that never run one cost nothing; the server itself is made with the first.
final class EmbeddedDNSService: NetworkService, @unchecked Sendable {
    let name = "dns"
    let dependencies = ["state"]
    /// The zone, made with the server (a network whose hosts never run a program makes neither).
    private var zone: DNSZone?
    private let makeZone: @Sendable () -> DNSZone
    private let lock = NSLock()
    private var server: EmbeddedDNSServer?
    private var group: MultiThreadedEventLoopGroup?
    private var listeners: Set<String> = []
    private var stopped = false

    init(zone makeZone: @escaping @Sendable () -> DNSZone) {
        self.makeZone = makeZone
    }

    func start(_ net: Network) throws {}

    func stop() {
        lock.lock()
        let s = server, g = group
        server = nil
        group = nil
        listeners.removeAll()
        stopped = true
        lock.unlock()
        s?.shutdown()
        try? g?.syncShutdownGracefully()
    }

    func status() -> ServiceStatus {
        lock.withLock {
            ServiceStatus(name: name, state: stopped ? .stopped : server == nil ? .idle : .running,
                          detail: "127.0.0.11 in \(listeners.count) hosts, \(server?.queriesAnswered ?? 0) queries answered")
        }
    }

    /// Makes sure the server listens inside `host` (namespace `fd`) on `addresses`: 127.0.0.11,
    /// and a cluster DNS address, which is put on the host's loopback first (as a service
    /// address that only this host's own traffic reaches).
    func listen(in host: String, namespace fd: Int32, addresses: [String]) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !listeners.contains(host) else { return }
        if stopped { throw NetworkError("the network is not running") }
        let s: EmbeddedDNSServer
        if let existing = server {
            s = existing
        } else {
            let g = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let z = zone ?? makeZone()
            zone = z
            s = EmbeddedDNSServer(zone: z, group: g)
            group = g
            server = s
        }
        // A socket belongs to the namespace it was made in: made on a thread inside the host.
        let sockets = try withNetworkNamespace(fd) { () throws -> [(udp: CInt, tcp: CInt)] in
            var made: [(udp: CInt, tcp: CInt)] = []
            do {
                for address in addresses {
                    if address != ResolvedDNS.embeddedServerAddress {
                        let cidr = address + (address.contains(":") ? "/128" : "/32")
                        try RouteSocket().addAddress(index: Int32(if_nametoindex("lo")), cidr: cidr, interfaceName: "lo")
                    }
                    made.append(try EmbeddedDNSServer.makeSockets(address: address, port: 53))
                }
            } catch {
                for m in made { close(m.udp); close(m.tcp) }
                throw error
            }
            return made
        }
        for pair in sockets { try s.serve(udpSocket: pair.udp, tcpSocket: pair.tcp) }
        listeners.insert(host)
    }

    /// Answers from `zone` from now on (a node added at runtime).
    func update(zone newZone: DNSZone) {
        lock.withLock {
            zone = newZone
            server?.updateZone(newZone)
        }
    }

    var queriesAnswered: Int { lock.withLock { server?.queriesAnswered ?? 0 } }
}
