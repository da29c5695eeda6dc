import Foundation

/// The JSON documents of a run's control API (see `ControlAPI`). Field names are
/// snake_case on the wire.

/// A running network, as `GET /v1/network` returns it.
public struct ControlNetworkInfo: Codable, Sendable, Equatable {
    public var name: String
    /// The process that owns the run.
    public var pid: Int32
    /// Seconds since the Unix epoch when the network was built.
    public var started: Double
    public var socket: String
    public var nodes: [ControlNodeSummary]
    public var links: [ControlLink]
}

/// One node in a listing.
public struct ControlNodeSummary: Codable, Sendable, Equatable {
    public var name: String
    /// host, router, dns or switch.
    public var kind: String
    /// The first interface's IPv4 address with its prefix (hosts).
    public var ip: String?
}

/// One node with its interfaces, as `GET /v1/nodes/NODE` returns it.
public struct ControlNode: Codable, Sendable, Equatable {
    public var name: String
    public var kind: String
    public var ip: String?
    public var ip6: String?
    public var gateway: String?
    /// The switch kind (lxbr, user) and OpenFlow datapath id (user switches, hex).
    public var switchKind: String?
    public var dpid: String?
    public var interfaces: [ControlInterface]
}

/// An interface as the kernel reports it, with the addresses the topology gave it.
public struct ControlInterface: Codable, Sendable, Equatable {
    public var name: String
    public var mac: String
    public var up: Bool
    public var carrier: Bool
    public var mtu: Int
    public var addresses: [String]
}

/// A link between two nodes.
public struct ControlLink: Codable, Sendable, Equatable {
    public var a: String
    public var b: String
    public var aInterface: String
    public var bInterface: String
}

/// `POST /v1/nodes/NODE/exec`: `argv` (a program and its arguments) or `cmd` (a shell
/// command line, run with `sh -c`); `timeout` in seconds; with `stream`, the output comes
/// as NDJSON lines (`{"stdout": "..."}`, `{"stderr": "..."}`) ending with the result.
public struct ControlExecRequest: Codable, Sendable {
    public var argv: [String]?
    public var cmd: String?
    /// A command line for the node's persistent shell (its directory, variables and jobs
    /// carry over from one request to the next, as in the swiftnet shell's `h1 CMD`).
    public var shell: String?
    public var timeout: Double?
    public var stream: Bool?
    public init(argv: [String]? = nil, cmd: String? = nil, shell: String? = nil, timeout: Double? = nil, stream: Bool? = nil) {
        self.argv = argv
        self.cmd = cmd
        self.shell = shell
        self.timeout = timeout
        self.stream = stream
    }
}

/// What a command did. Streamed, only `exit`, `signal` and `timed_out` are in the last line.
public struct ControlExecResult: Codable, Sendable, Equatable {
    public var exit: Int32?
    public var signal: Int32?
    public var timedOut: Bool
    public var stdout: String?
    public var stderr: String?
    /// A `shell` command ended the node's persistent shell (`exit`); the next gets a new one.
    public var shellExited: Bool? = nil
}

/// One line of a streamed command's output.
public struct ControlExecChunk: Codable, Sendable, Equatable {
    public var stdout: String?
    public var stderr: String?
}

/// `POST /v1/links/A/B`: `state` up or down, or shaping parameters as the shell's
/// `link A B bw=5 delay=5ms` takes them (`set: "bw=5 delay=5ms"`, or each as a field).
public struct ControlLinkRequest: Codable, Sendable {
    public var state: String?
    public var set: String?
    public var bw: String?
    public var delay: String?
    public var jitter: String?
    public var loss: String?
    public var maxQueue: String?
    public init(state: String? = nil, set: String? = nil) {
        self.state = state
        self.set = set
    }

    /// The shaping parameters as one `k=v ...` text for `LinkParams.parse(option:)`.
    var shapingText: String? {
        var parts = set.map { [$0] } ?? []
        for (k, v) in [("bw", bw), ("delay", delay), ("jitter", jitter), ("loss", loss), ("max_queue", maxQueue)] {
            if let v { parts.append("\(k)=\(v)") }
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}

/// Every error the API returns: a status and one message that names the problem.
public struct ControlError: Codable, Sendable, Error, CustomStringConvertible {
    public var status: Int
    public var error: String
    public init(_ status: Int, _ error: String) {
        self.status = status
        self.error = error
    }
    public var description: String { error }
}

/// The API's JSON: snake_case keys, sorted.
public enum ControlJSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }

    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        // Encoding these plain structs cannot fail.
        Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }
}

extension ControlJSON {
    /// Decodes a request body, or throws a 400 that says what is wrong with it.
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], example: String) throws -> T {
        do {
            return try decoder().decode(T.self, from: Data(body.isEmpty ? Array("{}".utf8) : body))
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
            let key = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            throw ControlError(400, "the request body's '\(key)' has the wrong type; send JSON such as \(example)")
        } catch {
            throw ControlError(400, "the request body is not the JSON this endpoint takes; send JSON such as \(example)")
        }
    }
}

/// `POST /v1/nodes`: a host or a Linux bridge switch added to the running network.
public struct ControlAddNodeRequest: Codable, Sendable {
    public var name: String
    /// "host" (default) or "switch".
    public var kind: String?
    /// A host's address ("10.0.0.9/8"); default: the next free one of the ipbase.
    public var ip: String?
    public var mac: String?
    public init(name: String, kind: String? = nil, ip: String? = nil, mac: String? = nil) {
        self.name = name
        self.kind = kind
        self.ip = ip
        self.mac = mac
    }
}

/// `POST /v1/links`: a link added between two nodes of the running network, with the
/// shaping parameters of `ControlLinkRequest`.
public struct ControlAddLinkRequest: Codable, Sendable {
    public var a: String
    public var b: String
    public var mtu: Int?
    public var set: String?
    public var bw: String?
    public var delay: String?
    public var jitter: String?
    public var loss: String?
    public var maxQueue: String?
    /// The ends' interface names (default: `NODE-ethPORT`, as a build names them).
    public var aInterface: String?
    public var bInterface: String?
    public init(a: String, b: String, mtu: Int? = nil, set: String? = nil) {
        self.a = a
        self.b = b
        self.mtu = mtu
        self.set = set
    }

    var shaping: ControlLinkRequest {
        var r = ControlLinkRequest(set: set)
        r.bw = bw
        r.delay = delay
        r.jitter = jitter
        r.loss = loss
        r.maxQueue = maxQueue
        return r
    }
}
