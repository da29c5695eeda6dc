import Foundation

/// One step of an experiment (`experiment:` in a topology file), run in order.
///
/// Actions change the network (`start`, `link`, `sleep`); checks observe it (`ping`,
/// `tcp`, `http`, `resolve`, `dig`, `run`). Every step may take `within`: it is then
/// retried until it passes or the time is up.
public struct ExperimentStep: Hashable, Sendable, Codable {
    public var action: ExperimentAction
    /// Retry until it passes, up to this long (nil: once).
    public var within: Duration?
    public var location: SourceLocation?

    public init(_ action: ExperimentAction, within: Duration? = nil, location: SourceLocation? = nil) {
        self.action = action
        self.within = within
        self.location = location
    }

    /// The step as reports name it: "ping h1 -> h2", "resolve web on h1".
    public var title: String { action.title }
}

/// What a lookup must find.
public enum ResolveExpectation: Hashable, Sendable, Codable {
    /// Every one of these addresses (an A or AAAA answer may have more).
    case addresses([String])
    /// The name does not exist (NXDOMAIN; `getent` exit status 2).
    case nxdomain
    /// The name resolves to something.
    case anyAddress

    public var text: String {
        switch self {
        case .addresses(let a): return a.joined(separator: ", ")
        case .nxdomain: return "nxdomain"
        case .anyAddress: return "an address"
        }
    }
}

/// What a `path` check must find.
public enum PathExpectation: Hashable, Sendable, Codable {
    /// The routers crossed, in order (an empty list: the destination is on the source's LAN).
    case hops([String])
    /// The path ends at a node without a route (or at a host that does not forward).
    case blackhole
    /// The path comes back to a router it has crossed.
    case loop

    public var text: String {
        switch self {
        case .hops(let h): return h.isEmpty ? "no router" : h.joined(separator: " -> ")
        case .blackhole: return "a black hole"
        case .loop: return "a loop"
        }
    }
}

/// The step kinds and their parameters, as written in YAML.
public enum ExperimentAction: Hashable, Sendable, Codable {
    /// `start: {on: web, run: "python3 -m http.server 80", wait_for_port: 80}`: a
    /// background program, killed at stop; with `waitForPort`, waits until something
    /// accepts TCP connections on that port of the node (up to `within`, 10 s by default).
    case start(on: String, command: String, waitForPort: Int?)
    /// `ping: {from: h1, to: h2, expect: fail}`: one ICMP echo (`to`: node or address).
    case ping(from: String, to: String, expectSuccess: Bool)
    /// `tcp: {from: h1, to: web, port: 80}`: a TCP connection is accepted (or refused
    /// or unanswered, with `expect: fail`).
    case tcp(from: String, to: String, port: Int, expectSuccess: Bool)
    /// `http: {from: h1, url: "http://web.lab.test/", expect_status: 200}`: curl inside
    /// the host, so the name goes through the host's resolver.
    case http(from: String, url: String, expectStatus: Int, expectBody: String?)
    /// `resolve: {on: h1, name: web, expect: 10.0.0.80}`: the host's resolver, as
    /// `getent ahosts` sees it (search domains, ndots, /etc/hosts).
    case resolve(on: String, name: String, expect: ResolveExpectation)
    /// `dig: {on: h1, server: ns1, name: web.lab.test, type: A, expect: 10.0.0.80}`: one
    /// DNS query sent from the host to a given server, no search list.
    case dig(on: String, server: String, name: String, type: String, expect: ResolveExpectation)
    /// `run: {on: h1, cmd: "cat /etc/resolv.conf", expect_output: "ndots:5"}`: a shell
    /// command; passes when its exit status is `expectExit` (0 by default) and its
    /// output contains `expectOutput`.
    case run(on: String, command: String, expectOutput: String?, expectExit: Int)
    /// `link: {between: [s1, s2], state: down}`.
    case link(a: String, b: String, up: Bool)
    /// `sleep: 500ms`.
    case sleep(Duration)
    /// `route: {on: r1, to: 10.2.0.5, expect_via: 10.1.0.2, expect_dev: r1-eth1}`: the
    /// kernel's FIB lookup in the node (RTM_GETROUTE, as `ip route get`); `expect:
    /// unreachable` wants no route.
    case route(on: String, to: String, expectVia: String?, expectDev: String?, expectUnreachable: Bool)
    /// `path: {from: h1, to: h3, expect: [r1, r2]}`: the forwarding path followed hop by
    /// hop through the nodes' FIBs; the routers it crosses, or `blackhole` / `loop`.
    case path(from: String, to: String, expect: PathExpectation)
    /// `traceroute: {from: h1, to: h3, expect: [r1, r2]}`: the same on the data plane,
    /// with `traceroute` inside the host, hop addresses mapped back to node names.
    case traceroute(from: String, to: String, expect: [String])
    /// `converge: {timeout: 60s}`: every router has a route to every subnet of every
    /// router (read from the kernel FIBs).
    case converge

    /// The YAML key of the step kind.
    public var kind: String {
        switch self {
        case .start: return "start"
        case .ping: return "ping"
        case .tcp: return "tcp"
        case .http: return "http"
        case .resolve: return "resolve"
        case .dig: return "dig"
        case .run: return "run"
        case .link: return "link"
        case .sleep: return "sleep"
        case .route: return "route"
        case .path: return "path"
        case .traceroute: return "traceroute"
        case .converge: return "converge"
        }
    }

    /// True for steps that observe rather than change the network.
    public var isCheck: Bool {
        switch self {
        case .start, .link, .sleep: return false
        default: return true
        }
    }

    public var title: String {
        switch self {
        case let .start(on, command, port):
            return "start on \(on): \(command)" + (port.map { " (port \($0))" } ?? "")
        case let .ping(from, to, ok): return "ping \(from) -> \(to)" + (ok ? "" : " fails")
        case let .tcp(from, to, port, ok): return "tcp \(from) -> \(to):\(port)" + (ok ? "" : " fails")
        case let .http(from, url, status, _): return "http \(from) GET \(url) = \(status)"
        case let .resolve(on, name, expect): return "resolve \(name) on \(on) = \(expect.text)"
        case let .dig(on, server, name, type, expect): return "dig \(type) \(name) @\(server) on \(on) = \(expect.text)"
        case let .run(on, command, _, _): return "run on \(on): \(command)"
        case let .link(a, b, up): return "link \(a) \(b) \(up ? "up" : "down")"
        case .sleep(let d): return "sleep \(formatDuration(d))"
        case let .route(on, to, via, dev, unreachable):
            if unreachable { return "route on \(on) to \(to) unreachable" }
            return "route on \(on) to \(to)" + (via.map { " via \($0)" } ?? "") + (dev.map { " dev \($0)" } ?? "")
        case let .path(from, to, expect): return "path \(from) -> \(to) = \(expect.text)"
        case let .traceroute(from, to, expect): return "traceroute \(from) -> \(to) = \(expect.isEmpty ? "no router" : expect.joined(separator: " -> "))"
        case .converge: return "converge"
        }
    }

    /// The nodes the step names, with the role each plays, for validation.
    var nodeReferences: [(name: String, role: String, hostOnly: Bool)] {
        switch self {
        case let .start(on, _, _): return [(on, "on", true)]
        case let .ping(from, _, _): return [(from, "from", true)]
        case let .tcp(from, _, _, _): return [(from, "from", true)]
        case let .http(from, _, _, _): return [(from, "from", true)]
        case let .resolve(on, _, _): return [(on, "on", true)]
        case let .dig(on, _, _, _, _): return [(on, "on", true)]
        case let .run(on, _, _, _): return [(on, "on", true)]
        case let .link(a, b, _): return [(a, "between", false), (b, "between", false)]
        case .sleep, .converge: return []
        case let .route(on, _, _, _, _): return [(on, "on", true)]
        case let .path(from, _, _): return [(from, "from", true)]
        case let .traceroute(from, _, _): return [(from, "from", true)]
        }
    }
}
