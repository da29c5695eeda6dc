import Foundation
import NIOCore
import NIOPosix
import OpenFlow

/// One user switch's connection to its OpenFlow controller, on SwiftNIO.
///
/// Every switch's connection runs on the same event loop. The connection says HELLO with
/// the versions the switch offers, settles the version, answers ECHO itself and hands every
/// other message to the datapath (`onMessage`), which owns the flow tables. When the
/// connection fails or closes it tries again after a pause that doubles from 0.25 s up to
/// 4 s, until `stop()`.
final class ControllerConnection: @unchecked Sendable {
    let controller: ControllerAddress
    let versions: [OFVersion]
    let loop: any EventLoop
    /// A message after the handshake, with the version settled.
    let onMessage: @Sendable (OFVersion, OFFrame) -> Void
    /// The version when the handshake completes, nil when the connection is lost.
    let onState: @Sendable (OFVersion?) -> Void

    // Touched only on `loop`.
    private var channel: (any Channel)?
    private var version: OFVersion?
    private var enabled = false
    private var backoff = 0.25
    private var retry: Scheduled<Void>?
    private var lastHeard = NIODeadline.now()
    private var probe: RepeatedTask?

    static let maxBackoff = 4.0
    /// With nothing heard for this long, the switch sends ECHO_REQUEST; after three times
    /// as long it gives the connection up (Open vSwitch's inactivity probe).
    static let probeInterval = TimeAmount.seconds(5)

    init(controller: ControllerAddress, versions: [OFVersion], loop: any EventLoop,
         onMessage: @escaping @Sendable (OFVersion, OFFrame) -> Void, onState: @escaping @Sendable (OFVersion?) -> Void) {
        self.controller = controller
        self.versions = versions
        self.loop = loop
        self.onMessage = onMessage
        self.onState = onState
    }

    /// Starts connecting (and reconnecting) until `stop()`.
    func start() {
        loop.execute {
            guard !self.enabled else { return }
            self.enabled = true
            self.backoff = 0.25
            self.connect()
            self.probe = self.loop.scheduleRepeatedTask(initialDelay: Self.probeInterval, delay: Self.probeInterval) { _ in self.checkAlive() }
        }
    }

    /// Closes the connection and stops trying; returns once done.
    func stop() {
        let done = loop.submit {
            self.enabled = false
            self.retry?.cancel()
            self.retry = nil
            self.probe?.cancel()
            self.probe = nil
            self.channel?.close(promise: nil)
        }
        _ = try? done.wait()
    }

    /// Sends one encoded message, when connected (messages are dropped while not).
    func send(_ bytes: [UInt8]) {
        loop.execute {
            guard let ch = self.channel, self.version != nil else { return }
            ch.writeAndFlush(ch.allocator.buffer(bytes: bytes), promise: nil)
        }
    }

    private func connect() {
        guard enabled else { return }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(2))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(OpenFlowChannelHandler(connection: self))
                }
            }
        bootstrap.connect(host: controller.host, port: controller.port).whenComplete { result in
            switch result {
            case .success(let ch):
                if !self.enabled { ch.close(promise: nil) }
            case .failure:
                self.scheduleRetry()
            }
        }
    }

    private func scheduleRetry() {
        guard enabled, retry == nil else { return }
        let wait = TimeAmount.milliseconds(Int64(backoff * 1000))
        backoff = min(backoff * 2, Self.maxBackoff)
        retry = loop.scheduleTask(in: wait) {
            self.retry = nil
            self.connect()
        }
    }

    private func checkAlive() {
        guard let ch = channel, version != nil else { return }
        let quiet = NIODeadline.now() - lastHeard
        if quiet >= Self.probeInterval * 3 {
            ch.close(promise: nil)
        } else if quiet >= Self.probeInterval, let v = version, let bytes = try? OFMessage.echoRequest([]).encode(version: v, xid: 0) {
            ch.writeAndFlush(ch.allocator.buffer(bytes: bytes), promise: nil)
        }
    }

    // MARK: - Called by the channel handler, on the loop

    fileprivate func active(_ ch: any Channel) {
        channel = ch
        version = nil
        lastHeard = .now()
        let hello = OFMessage.hello(OFHello(supporting: versions))
        if let bytes = try? hello.encode(version: versions.max() ?? .v1_3, xid: 0) {
            ch.writeAndFlush(ch.allocator.buffer(bytes: bytes), promise: nil)
        }
    }

    fileprivate func received(_ frame: OFFrame, on ch: any Channel) {
        lastHeard = .now()
        guard let v = version else {
            // The first message must be HELLO; it settles the version.
            let message = try? frame.decode()
            guard let message, let agreed = OFVersion.negotiate(ours: versions, hello: message) else {
                let reply = OFMessage.error(OFErrorMessage(type: OFErrorType.helloFailed, code: OFHelloFailedCode.incompatible,
                                                           data: Array("swiftnet speaks \(versions.map(\.description).joined(separator: ", "))".utf8)))
                if let bytes = try? reply.encode(version: OFVersion(rawValue: frame.header.version) ?? .v1_0, xid: frame.header.xid) {
                    ch.writeAndFlush(ch.allocator.buffer(bytes: bytes), promise: nil)
                }
                ch.close(promise: nil)
                return
            }
            version = agreed
            backoff = 0.25
            onState(agreed)
            return
        }
        switch frame.header.type {
        case 2:  // ECHO_REQUEST: answered here, with the same xid and data.
            let data = Array(frame.bytes.dropFirst(OFHeader.size))
            if let bytes = try? OFMessage.echoReply(data).encode(version: v, xid: frame.header.xid) {
                ch.writeAndFlush(ch.allocator.buffer(bytes: bytes), promise: nil)
            }
        case 0, 3:  // a later HELLO, ECHO_REPLY
            break
        default:
            onMessage(v, frame)
        }
    }

    fileprivate func inactive(_ ch: any Channel) {
        guard channel === ch else { return }
        channel = nil
        if version != nil {
            version = nil
            onState(nil)
        }
        scheduleRetry()
    }
}

/// Splits the byte stream into OpenFlow messages for its connection.
private final class OpenFlowChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let connection: ControllerConnection
    private var framer = OFFramer()

    init(connection: ControllerConnection) { self.connection = connection }

    func channelActive(context: ChannelHandlerContext) {
        connection.active(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let bytes = buffer.readBytes(length: buffer.readableBytes) { framer.append(bytes) }
        do {
            while let frame = try framer.pop() { connection.received(frame, on: context.channel) }
        } catch {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.inactive(context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
