import Foundation

/// One step of an experiment (`experiment:` in a topology file), run in order.
///
/// Actions change the network (`start`, `link`, `sleep`); checks observe it (`ping`,
/// `tcp`, `http`, `resolve`, `dig`, `run`, `route`, ...). Most steps take `within`: a
/// check is then retried until it passes or the time is up (`start` waits that long for
/// its port). The kinds are in `Steps/`, one file each.
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

/// What a step does: one value of a step kind (`Steps/`), such as `.ping(from: "h1",
/// to: "h2", expectSuccess: true)`.
///
/// Each kind adds its own factory (`.ping(...)`, `.sleep(...)`, `.converge`, ...) in its
/// file under `Steps/`; `StepRegistry.kinds` lists the kinds.
public struct ExperimentAction: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The step's kind and parameters.
    let step: any StepKind

    init(_ step: any StepKind) {
        self.step = step
    }

    /// The YAML key of the step kind.
    public var kind: String { type(of: step).keyword }

    /// True for steps that observe rather than change the network.
    public var isCheck: Bool { type(of: step).isCheck }

    /// The step as reports name it: "ping h1 -> h2".
    public var title: String { step.title }

    public var description: String { "\(kind)(\(step))" }

    public static func == (a: ExperimentAction, b: ExperimentAction) -> Bool {
        AnyHashable(a.step) == AnyHashable(b.step)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(AnyHashable(step))
    }

    private enum CodingKeys: String, CodingKey { case kind, parameters }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try step.encode(to: c.superEncoder(forKey: .parameters))
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        guard let type = StepRegistry.kind(named: kind) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown experiment step kind '\(kind)'")
        }
        step = try type.init(from: c.superDecoder(forKey: .parameters))
    }
}
