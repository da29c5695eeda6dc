import NIOCore

/// Answers each datagram of a UDP channel to its sender.
final class DNSUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let server: EmbeddedDNSServer

    /// Creates a handler answering from the server's current zone.
    ///
    /// - Parameter server: The server whose zone answers and whose counter counts.
    init(server: EmbeddedDNSServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        let query = Array(envelope.data.readableBytesView)
        guard let reply = server.response(to: query, transport: .udp) else { return }
        let buffer = context.channel.allocator.buffer(bytes: reply)
        context.writeAndFlush(Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)),
                              promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket reports, for example, an ICMP error for an earlier reply;
        // that concerns one client only, so the channel stays open.
    }
}

/// Splits a TCP stream into DNS messages by their 2-byte length prefix (RFC 1035 §4.2.2).
struct DNSTCPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// The error for a length prefix too small for a DNS header, which ends the connection.
    struct FramingError: Error {}

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return .needMoreData }
        guard length >= 12 else { throw FramingError() }
        guard let frame = buffer.getSlice(at: buffer.readerIndex + 2, length: Int(length)) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2 + Int(length))
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Answers each framed DNS message of a TCP connection, and closes the connection when it
/// is idle or its framing is broken.
final class DNSTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let server: EmbeddedDNSServer

    /// Creates a handler answering from the server's current zone.
    ///
    /// - Parameter server: The server whose zone answers and whose counter counts.
    init(server: EmbeddedDNSServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        guard let reply = server.response(to: Array(frame.readableBytesView), transport: .tcp),
              reply.count <= Int(UInt16.max) else { return }
        var buffer = context.channel.allocator.buffer(capacity: reply.count + 2)
        buffer.writeInteger(UInt16(reply.count))
        buffer.writeBytes(reply)
        context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
