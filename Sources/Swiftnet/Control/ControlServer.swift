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
    let channel: EventLoopFuture<Channel>
    /// The TCP listener for Floodlight's /wm/ paths, when asked for and bound.
    let rest: FloodlightServer?

    /// Binds `path` (its directory is made with mode 0700 when missing) and serves `api`.
    /// The socket is bound and listening when this returns; the event loop takes it over
    /// in the background (a client that connects meanwhile waits in the backlog), so a
    /// build does not wait for another thread.
    /// - Throws: `NetworkError` (a path over 107 bytes, a directory that cannot be made).
    /// With `restPort`, Floodlight's /wm/ paths (and nothing else) are served on TCP at
    /// 127.0.0.1:`restPort` too; a port that cannot be bound is reported by `restFailure`.
    init(api: ControlAPI, path: String, restPort: Int? = nil) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw NetworkError("cannot create \(dir): \(String(cString: strerror(errno)))")
        }
        guard chmod(dir, 0o700) == 0 else { throw NetworkError("cannot chmod \(dir): \(String(cString: strerror(errno)))") }
        let fd = try Self.listeningSocket(path)
        // NIO's shared event loops: a network costs no threads of its own to serve.
        channel = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(ControlHTTPHandler(api: api))
                }
            }
            .withBoundSocket(fd)
        self.path = path
        var restFailure: String?
        if let restPort, restPort > 0 {
            do {
                rest = try FloodlightServer(handler: FloodlightHTTP(controller: { [weak api] in api?.net.builtinController },
                                                                    names: { [weak api] in api?.net.controllerNames() ?? [:] },
                                                                    links: { [weak api] in api?.net.controllerLinkNames() ?? [] }),
                                            port: restPort)
            } catch {
                rest = nil
                restFailure = "Floodlight's REST paths are not on 127.0.0.1:\(restPort) (\(error)); they stay on the control socket"
            }
        } else {
            rest = nil
        }
        self.restFailure = restFailure
    }

    /// Why the TCP listener for /wm/ is not there, when it was asked for.
    let restFailure: String?

    /// A Unix stream socket bound at `path` with mode 0600, listening.
    /// Equivalent to: socket(AF_UNIX), bind, chmod 0600, listen.
    static func listeningSocket(_ path: String) throws -> Int32 {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            throw NetworkError("the control socket's path \(path) is \(bytes.count) bytes; Unix sockets allow 107: choose a shorter run name with --name")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw NetworkError("cannot make the control socket: \(String(cString: strerror(errno)))") }
        unlink(path)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o600) == 0, listen(fd, 64) == 0 else {
            let e = errno
            close(fd)
            unlink(path)
            throw NetworkError("cannot serve the control API on \(path): \(String(cString: strerror(e)))")
        }
        return fd
    }

    /// Removes the socket and closes it with every connection (in the background).
    func stop() {
        unlink(path)
        channel.whenComplete { result in
            if case .success(let ch) = result { ch.close(promise: nil) }
        }
        rest?.stop()
    }
}

/// One connection: collects a request, hands it to the API on a worker thread.
final class ControlHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let api: any HTTPRequestHandler
    /// True on TCP: only /wm/ and /ui/ are served (the rest of the API can run commands as root and
    /// stays on the root-only Unix socket).
    let floodlightOnly: Bool
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    /// The last request's responder: an idle connection closes only once it has answered.
    private var responder: ChannelResponder?

    init(api: any HTTPRequestHandler, floodlightOnly: Bool = false) {
        self.api = api
        self.floodlightOnly = floodlightOnly
    }

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
            self.responder = responder
            if floodlightOnly && !FloodlightHTTP.serves(head.uri) {
                responder.respond(status: 404, json: ControlJSON.encode(ControlError(404, "only Floodlight's /wm/ paths and the web page /ui/ are served on TCP; the control API is on the run's Unix socket")))
                return
            }
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

    /// Bytes that are not HTTP: SwiftNIO's error handler has answered 400 with
    /// "Connection: close"; the connection goes (else a hostile client could hold it).
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// A connection that has been silent past its idle time (IdleStateHandler, on TCP) and
    /// owes no answer is closed, so idle or half-sent requests cannot pile up.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            if responder?.isFinished ?? true { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Writes a response to a connection from any thread.
final class ChannelResponder: ControlResponder, @unchecked Sendable {
    let channel: Channel
    let version: HTTPVersion
    let keepAlive: Bool
    private let lock = NSLock()
    private var closed = false
    private var finished = false

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

    /// True once the response has been written to its end.
    var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    private func finish() {
        lock.lock()
        finished = true
        lock.unlock()
        let keepAlive = self.keepAlive, channel = self.channel
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    func respond(status: Int, contentType: String, body: [UInt8]) {
        channel.write(HTTPServerResponsePart.head(head(status, contentType: contentType, length: body.count)), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        finish()
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
