import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An authoritative DNS server inside the emulator's process, answering from a `DNSZone`
/// over UDP and TCP on sockets its caller created, typically one pair per network namespace.
///
/// All sockets are served by the event loops of one group that the caller owns (one
/// `MultiThreadedEventLoopGroup` with one thread is the intended use) and must shut down
/// after calling `shutdown()`. The zone can be replaced at any time with `updateZone(_:)`.
///
/// Over UDP each datagram is answered to its sender; a response larger than 512 bytes, or
/// than the EDNS(0) size the query advertised, is cut to header and question with TC=1.
/// A datagram that does not decode gets FORMERR if it has a 12-byte header and is dropped
/// otherwise. Over TCP messages carry the 2-byte length prefix of RFC 1035 §4.2.2, several
/// per connection; a length under 12 closes the connection, and so do `tcpIdleTimeout`
/// seconds without traffic. Messages with QR=1 are never answered.
public final class EmbeddedDNSServer: Sendable {
    /// The channels to close at shutdown, and whether that has happened.
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var isShutDown = false
    }

    private let group: any EventLoopGroup
    private let idleTimeout: TimeAmount
    private let zoneBox: NIOLockedValueBox<DNSZone>
    private let state = NIOLockedValueBox(State())
    private let answered = NIOLockedValueBox(0)

    /// Creates a server that serves nothing until `serve(udpSocket:tcpSocket:)` is called.
    ///
    /// - Parameters:
    ///   - zone: The names to answer for.
    ///   - group: The event loops that serve the sockets; the caller owns the group and
    ///     shuts it down after `shutdown()`.
    ///   - tcpIdleTimeout: How long a TCP connection may go without reads or writes
    ///     before it is closed; 10 seconds by default.
    public init(zone: DNSZone, group: any EventLoopGroup, tcpIdleTimeout: TimeAmount = .seconds(10)) {
        self.zoneBox = NIOLockedValueBox(zone)
        self.group = group
        self.idleTimeout = tcpIdleTimeout
    }

    /// The zone queries are answered from now.
    public var zone: DNSZone {
        zoneBox.withLockedValue { $0 }
    }

    /// Replaces the zone; queries that arrive afterwards, on every socket, are answered
    /// from the new one. Safe to call from any thread.
    ///
    /// - Parameter zone: The new zone.
    public func updateZone(_ zone: DNSZone) {
        zoneBox.withLockedValue { $0 = zone }
    }

    /// How many responses the server has sent so far, over every socket and both transports
    /// (error responses included). Safe to read from any thread.
    public var queriesAnswered: Int {
        answered.withLockedValue { $0 }
    }

    /// Starts serving a UDP and a TCP socket. Can be called many times, for example once
    /// per network namespace; every pair is served by the same event loop group.
    ///
    /// The descriptors are checked first: an IPv4 or IPv6 datagram socket and stream socket,
    /// both already bound (as `makeSockets(address:port:)` leaves them). The TCP socket may be
    /// listening already or not; it is made to listen. If the check fails the descriptors are
    /// left untouched and remain the caller's. Once it passes they belong to the server, which
    /// closes them at `shutdown()` or when a later step fails. Must not be called on one of
    /// the group's event loops, as it waits for the channels to be registered.
    ///
    /// - Parameters:
    ///   - udpSocket: A bound UDP socket.
    ///   - tcpSocket: A bound TCP socket.
    /// - Throws: `DNSServerError` if the server is shut down or a descriptor is not a bound
    ///   socket of the right kind; NIO's error if a channel cannot be set up.
    public func serve(udpSocket: CInt, tcpSocket: CInt) throws {
        try Self.checkBound(udpSocket, type: Int32(SOCK_DGRAM.rawValue), what: "UDP")
        try Self.checkBound(tcpSocket, type: Int32(SOCK_STREAM.rawValue), what: "TCP")
        guard !state.withLockedValue({ $0.isShutDown }) else {
            throw DNSServerError("the DNS server is shut down")
        }
        let udp: any Channel
        do {
            udp = try DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DNSUDPHandler(server: self))
                    }
                }
                .withBoundSocket(udpSocket).wait()
        } catch {
            close(tcpSocket)
            throw error
        }
        guard track(udp) else { throw DNSServerError("the DNS server is shut down") }
        let idleTimeout = self.idleTimeout
        do {
            let tcp = try ServerBootstrap(group: group)
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        guard self.track(child) else { throw ChannelError.ioOnClosedChannel }
                        let pipeline = child.pipeline.syncOperations
                        try pipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                        try pipeline.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
                        try pipeline.addHandler(DNSTCPHandler(server: self))
                    }
                }
                .withBoundSocket(tcpSocket).wait()
            guard track(tcp) else { throw DNSServerError("the DNS server is shut down") }
        } catch {
            try? udp.close().wait()
            throw error
        }
    }

    /// Stops serving: closes every socket and TCP connection and waits until they are
    /// closed. Safe to call more than once; `serve` fails afterwards. Must not be called on
    /// one of the group's event loops, and must be called before the group shuts down.
    public func shutdown() {
        let channels = state.withLockedValue { state -> [any Channel] in
            state.isShutDown = true
            defer { state.channels = [:] }
            return Array(state.channels.values)
        }
        guard let first = channels.first else { return }
        let closed = channels.map { $0.close() }
        try? EventLoopFuture.andAllComplete(closed, on: first.eventLoop).wait()
    }

    /// The response to one query from the current zone, counted if there is one.
    ///
    /// - Parameters:
    ///   - query: The query's bytes.
    ///   - transport: How it arrived.
    /// - Returns: The response's bytes, or nil if nothing should be sent.
    func response(to query: [UInt8], transport: DNSResponder.Transport) -> [UInt8]? {
        let reply = DNSResponder.response(to: query, zone: zone, transport: transport)
        if reply != nil { answered.withLockedValue { $0 += 1 } }
        return reply
    }

    /// Remembers a channel for shutdown and forgets it once it closes; closes it at once
    /// if the server is already shut down.
    ///
    /// - Parameter channel: A server socket or TCP connection channel.
    /// - Returns: False if the server was shut down and the channel is being closed.
    private func track(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let accepted = state.withLockedValue { state -> Bool in
            guard !state.isShutDown else { return false }
            state.channels[id] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return false
        }
        channel.closeFuture.whenComplete { _ in
            self.state.withLockedValue { _ = $0.channels.removeValue(forKey: id) }
        }
        return true
    }

    /// Checks that a descriptor is a bound IPv4 or IPv6 socket of the given type.
    ///
    /// - Parameters:
    ///   - fd: The descriptor.
    ///   - type: `SOCK_DGRAM` or `SOCK_STREAM`.
    ///   - what: "UDP" or "TCP", for the error message.
    /// - Throws: `DNSServerError` if it is not.
    private static func checkBound(_ fd: CInt, type: Int32, what: String) throws {
        var actual: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &actual, &length) == 0 else {
            throw DNSServerError.system("descriptor \(fd) given as the \(what) socket")
        }
        guard actual == type else { throw DNSServerError("descriptor \(fd) is not a \(what) socket") }
        let port = try localPort(of: fd)
        guard port != 0 else { throw DNSServerError("the \(what) socket \(fd) is not bound") }
    }
}
