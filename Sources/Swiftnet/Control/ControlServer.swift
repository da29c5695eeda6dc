import Foundation
import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves a run's `ControlAPI` as HTTP/1.1 on a Unix socket, with SwiftNIO's HTTP
/// handlers (no HTTP parsing of our own). The socket is made in a directory only root can
/// enter and is itself root's with mode 0600: no other user can reach the run.
///
/// Each request's work (a command can run for minutes) is done off the event loop; a
/// request body over `ControlAPI.maxBody` gets 413, bytes that are not HTTP get 400 and
/// the connection is closed.
public final class ControlServer: Sendable {
    /// The socket's path.
    public let path: String
    let group: MultiThreadedEventLoopGroup
    let channel: Channel

    /// Binds `path` (its directory is made with mode 0700 when missing) and serves `api`.
    /// - Throws: what binding throws (a path over 107 bytes, a directory that cannot be made).
    init(api: ControlAPI, path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw NetworkError("cannot create \(dir): \(String(cString: strerror(errno)))")
        }
        guard chmod(dir, 0o700) == 0 else { throw NetworkError("cannot chmod \(dir): \(String(cString: strerror(errno)))") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.backlog, value: 64)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                        channel.pipeline.addHandler(ControlHTTPHandler(api: api))
                    }
                }
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
                .wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw NetworkError("cannot serve the control API on \(path): \(error)")
        }
        self.group = group
        self.path = path
        _ = chmod(path, 0o600)
    }

    /// Closes the socket and every connection. Not to be called from the server's own
    /// event loop.
    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
        unlink(path)
    }
}

/// One connection: collects a request, hands it to the API on a worker thread.
final class ControlHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let api: ControlAPI
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(api: ControlAPI) { self.api = api }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > ControlAPI.maxBody {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let responder = ChannelResponder(channel: context.channel, version: head.version, keepAlive: head.isKeepAlive)
            if tooLarge {
                responder.respond(status: 413, json: ControlJSON.encode(ControlError(413, "the request body is over \(ControlAPI.maxBody) bytes")))
                return
            }
            let api = self.api, body = self.body
            let method = head.method.rawValue, uri = head.uri
            DispatchQueue.global().async {
                api.handle(method: method, path: uri, body: body, responder: responder)
            }
        }
    }
}

/// Writes a response to a connection from any thread.
final class ChannelResponder: ControlResponder, @unchecked Sendable {
    let channel: Channel
    let version: HTTPVersion
    let keepAlive: Bool
    private let lock = NSLock()
    private var closed = false

    init(channel: Channel, version: HTTPVersion, keepAlive: Bool) {
        self.channel = channel
        self.version = version
        self.keepAlive = keepAlive
        channel.closeFuture.whenComplete { [weak self] _ in self?.markClosed() }
    }

    private func markClosed() {
        lock.lock()
        closed = true
        lock.unlock()
    }

    var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closed
    }

    private func head(_ status: Int, contentType: String, length: Int?) -> HTTPResponseHead {
        var headers = HTTPHeaders([("Content-Type", contentType)])
        if let length { headers.add(name: "Content-Length", value: String(length)) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        return HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)
    }

    private func finish() {
        let keepAlive = self.keepAlive, channel = self.channel
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    func respond(status: Int, json: [UInt8]) {
        var bytes = json
        bytes.append(0x0A)
        channel.write(HTTPServerResponsePart.head(head(status, contentType: "application/json", length: bytes.count)), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: bytes))), promise: nil)
        finish()
    }

    func begin(status: Int) {
        channel.writeAndFlush(HTTPServerResponsePart.head(head(status, contentType: "application/x-ndjson", length: nil)), promise: nil)
    }

    func line(_ json: [UInt8]) {
        var bytes = json
        bytes.append(0x0A)
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: bytes))), promise: nil)
    }

    func end() { finish() }
}
