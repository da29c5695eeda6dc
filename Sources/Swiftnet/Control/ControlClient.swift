import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A client of a run's control API over its Unix socket (SwiftNIO's HTTP/1.1 client
/// handlers), for `swiftnet ls`, `exec`, `inspect`, `link` and `stop`, for tests and for
/// any Swift program. Equivalent to: `curl --unix-socket SOCKET http://swiftnet/v1/...`.
public struct ControlClient: Sendable {
    public let socketPath: String

    public init(socketPath: String) { self.socketPath = socketPath }

    /// A response: its status and body.
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends one request and waits for the whole response. With `onLine`, a streamed
    /// (NDJSON) body is handed over a line at a time as it arrives, and not kept.
    /// - Throws: when the socket cannot be reached (the run is gone, or not ours to reach).
    public func request(_ method: String, _ path: String, json body: [UInt8]? = nil,
                        onLine: (@Sendable ([UInt8]) -> Void)? = nil) throws -> Response {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let collector = ResponseCollector(promise: group.next().makePromise(), onLine: onLine)
        let channel = try ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.pipeline.addHTTPClientHandlers().flatMap { channel.pipeline.addHandler(collector) }
            }
            .connect(unixDomainSocketPath: socketPath)
            .wait()
        var headers = HTTPHeaders([("Host", "swiftnet"), ("Connection", "close")])
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.count))
        }
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let response = try collector.promise.futureResult.wait()
        try? channel.close().wait()
        return response
    }

    /// `request` with a JSON body encoded from `value` and a JSON answer decoded as `T`.
    /// - Throws: `ControlError` with the server's message for a status other than 200.
    public func call<T: Decodable>(_ method: String, _ path: String, _ type: T.Type,
                                   body: (some Encodable)? = Optional<String>.none) throws -> T {
        let r = try request(method, path, json: body.map { ControlJSON.encode($0) })
        guard r.status == 200 else { throw Self.error(from: r) }
        return try ControlJSON.decoder().decode(T.self, from: Data(r.body))
    }

    /// The server's error for a response that is not 200.
    public static func error(from r: Response) -> ControlError {
        (try? ControlJSON.decoder().decode(ControlError.self, from: Data(r.body))) ?? ControlError(r.status, r.text)
    }
}

/// Gathers a response; streamed lines go to `onLine` as they complete.
final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    let promise: EventLoopPromise<ControlClient.Response>
    let onLine: (@Sendable ([UInt8]) -> Void)?
    private var status = 0
    private var body: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<ControlClient.Response>, onLine: (@Sendable ([UInt8]) -> Void)?) {
        self.promise = promise
        self.onLine = onLine
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            status = Int(h.status.code)
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
            guard status == 200, let onLine else { return }
            while let nl = body.firstIndex(of: 0x0A) {
                onLine(Array(body[..<nl]))
                body.removeSubrange(...nl)
            }
        case .end:
            if let onLine, status == 200, !body.isEmpty { onLine(body); body = [] }
            done = true
            promise.succeed(ControlClient.Response(status: status, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { promise.fail(ControlError(502, "the run closed the connection before answering")) }
        done = true
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !done { promise.fail(error) }
        done = true
        context.close(promise: nil)
    }
}
