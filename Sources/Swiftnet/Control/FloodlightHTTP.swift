import Controller
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// What the control server's connections hand their requests to: a run's control API,
/// or the built-in controller's REST paths and web page alone.
public protocol HTTPRequestHandler: Sendable {
    func handle(method: String, path: String, body: [UInt8], responder: ControlResponder)
}

extension ControlAPI: HTTPRequestHandler {}

/// The built-in controller's side of HTTP: Floodlight's REST paths (`/wm/...`) and the
/// live web page (`/ui/`, which reads those paths). `names` gives the page the run's
/// names for switches (by DPID) and hosts (by MAC) when there is a run.
public struct FloodlightHTTP: HTTPRequestHandler {
    let controller: @Sendable () -> BuiltinController?
    let names: (@Sendable () -> [String: [String: String]])?
    let links: (@Sendable () -> [String])?

    /// - Parameters: `names` and `links`: the run's names and switch links, for the page.
    public init(controller: @escaping @Sendable () -> BuiltinController?, names: (@Sendable () -> [String: [String: String]])? = nil,
                links: (@Sendable () -> [String])? = nil) {
        self.controller = controller
        self.names = names
        self.links = links
    }

    /// True for the paths it serves (the rest of a run's API stays off TCP).
    static func serves(_ uri: String) -> Bool {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        return path == "/" || path == "/wm" || path.hasPrefix("/wm/") || path == "/ui" || path.hasPrefix("/ui/")
    }

    public func handle(method: String, path: String, body: [UInt8], responder: ControlResponder) {
        let split = path.split(separator: "?", maxSplits: 1)
        let clean = split.first.map(String.init) ?? path
        var parts = clean.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        func fail(_ status: Int, _ text: String) { responder.respond(status: status, json: ControlJSON.encode(ControlError(status, text))) }
        if parts.isEmpty || parts == ["ui"] || parts == ["ui", "index.html"] {
            guard method == "GET" || method == "HEAD" else { return fail(405, "\(method) \(clean): the web page takes GET") }
            return responder.respond(status: 200, contentType: "text/html; charset=utf-8", body: Array(WebPage.html.utf8))
        }
        if parts == ["ui", "names.json"] {
            guard let names else { return fail(404, "no run: the controller alone has no names for switches and hosts") }
            return responder.respond(status: 200, json: ControlJSON.encode(names()))
        }
        if parts == ["ui", "links.json"] {
            guard let links else { return fail(404, "no run: the controller alone knows only the links it sees") }
            return responder.respond(status: 200, json: ControlJSON.encode(links()))
        }
        guard parts.first == "wm" else { return fail(404, "no such path '\(clean)': Floodlight's paths start with /wm/, the web page is /ui/") }
        parts.removeFirst()
        guard let c = controller() else {
            return fail(404, "no built-in controller: Floodlight's /wm/ paths are served with --controller builtin")
        }
        var query: [String: String] = [:]
        if let q = split.dropFirst().first {
            for pair in q.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                if kv.count == 2 { query[kv[0]] = kv[1] }
            }
        }
        guard let answer = c.rest(method: method, parts: parts, query: query, body: body) else {
            return fail(404, "no such Floodlight path '/wm/\(parts.joined(separator: "/"))'")
        }
        responder.respond(status: answer.status, json: answer.json)
    }
}

/// Floodlight's REST paths and the web page on TCP (127.0.0.1 unless told otherwise),
/// with SwiftNIO's HTTP/1.1 handlers; nothing else of a run is served there.
public final class FloodlightServer: Sendable {
    let channel: any Channel
    /// The port it listens on.
    public let port: Int

    /// A connection with nothing read or written for `idleTimeout` (and no answer owed) is
    /// closed: anyone on the machine can connect here, and idle connections must not pile up.
    /// - Throws: the bind's error (a port in use, a host that is not ours).
    public init(handler: any HTTPRequestHandler, host: String = "127.0.0.1", port: Int,
                idleTimeout: TimeAmount = .seconds(30)) throws {
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ControlHTTPHandler(api: handler, floodlightOnly: true))
                }
            }
            .bind(host: host, port: port).wait()
        self.port = channel.localAddress?.port ?? port
    }

    /// Closes the listening socket (connections end with it).
    public func stop() { try? channel.close().wait() }
}
