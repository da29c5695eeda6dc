/// The built-in controller's modules, Floodlight's way: each says which services it
/// provides and which it needs; the loader orders them so every module comes after the
/// providers of what it needs, initialises them all in that order, then starts them all.

/// A service a module provides or needs ("openflow", "topology", ...).
public struct ServiceName: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    public static func < (a: ServiceName, b: ServiceName) -> Bool { a.rawValue < b.rawValue }
}

/// One module of the controller. `initialise` runs for every module before any `start`:
/// there a module finds the services it needs and registers for events; in `start` it
/// begins its work (timers, probes).
public protocol ControllerModule: AnyObject {
    var name: String { get }
    var provides: [ServiceName] { get }
    var needs: [ServiceName] { get }
    func initialise(_ context: ModuleContext) throws
    func start(_ context: ModuleContext) throws
}

/// Why a set of modules cannot be loaded; the message names the modules and services.
public struct ModuleError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// What modules see of each other while the controller loads and runs: the providers of
/// services, by name.
public final class ModuleContext {
    private var providers: [ServiceName: ControllerModule] = [:]
    /// The modules in load order.
    public private(set) var modules: [ControllerModule] = []

    init(ordered: [ControllerModule]) {
        modules = ordered
        for m in ordered { for s in m.provides { providers[s] = m } }
    }

    /// The module that provides `service`, as the type the caller expects.
    public func service<T>(_ service: ServiceName, as type: T.Type) -> T? {
        providers[service] as? T
    }

    /// The provider of `service` that `module` needs.
    /// - Throws: `ModuleError` naming both when there is none of that type.
    public func require<T>(_ service: ServiceName, as type: T.Type, by module: String) throws -> T {
        guard let s = providers[service] as? T else {
            throw ModuleError(message: "module '\(module)' needs the service '\(service)' as \(T.self), and none was loaded")
        }
        return s
    }
}

public enum ModuleLoader {
    /// The modules in an order where each comes after the providers of what it needs;
    /// among modules free to go next, the earlier in `modules` goes first.
    /// - Throws: `ModuleError` for a service two modules provide, a service no module
    ///   provides, or a cycle (named module by module).
    public static func order(_ modules: [ControllerModule]) throws(ModuleError) -> [ControllerModule] {
        var provider: [ServiceName: Int] = [:]
        for (i, m) in modules.enumerated() {
            for s in m.provides {
                if let j = provider[s] {
                    throw ModuleError(message: "modules '\(modules[j].name)' and '\(m.name)' both provide the service '\(s)'")
                }
                provider[s] = i
            }
        }
        var after: [[Int]] = Array(repeating: [], count: modules.count)   // i needs these
        for (i, m) in modules.enumerated() {
            for s in m.needs {
                guard let p = provider[s] else {
                    let have = provider.keys.sorted().map(\.rawValue).joined(separator: ", ")
                    throw ModuleError(message: "module '\(m.name)' needs the service '\(s)', which no module provides (provided: \(have.isEmpty ? "none" : have))")
                }
                if p != i && !after[i].contains(p) { after[i].append(p) }
            }
        }
        var placed = Array(repeating: false, count: modules.count)
        var out: [ControllerModule] = []
        while out.count < modules.count {
            guard let next = modules.indices.first(where: { !placed[$0] && after[$0].allSatisfy { placed[$0] } }) else {
                throw ModuleError(message: "the modules' needs form a cycle: " + cycle(after, placed: placed, modules))
            }
            placed[next] = true
            out.append(modules[next])
        }
        return out
    }

    /// One cycle among the unplaced modules, as "a needs b (service), b needs a (service)".
    private static func cycle(_ after: [[Int]], placed: [Bool], _ modules: [ControllerModule]) -> String {
        // Every unplaced module waits on another unplaced one: walking those waits must
        // come back to a module already seen.
        var path: [Int] = []
        var at = placed.firstIndex(of: false)!
        while !path.contains(at) {
            path.append(at)
            at = after[at].first { !placed[$0] }!
        }
        let loop = Array(path[path.firstIndex(of: at)!...]) + [at]
        func via(_ a: Int, _ b: Int) -> String {
            let s = modules[a].needs.first { modules[b].provides.contains($0) }.map(\.rawValue) ?? "?"
            return "'\(modules[a].name)' needs '\(s)' of '\(modules[b].name)'"
        }
        return zip(loop, loop.dropFirst()).map(via).joined(separator: ", ")
    }

    /// Orders, initialises every module, then starts every module.
    /// - Returns: the context, whose `modules` are in load order.
    public static func load(_ modules: [ControllerModule]) throws -> ModuleContext {
        let ordered = try order(modules)
        let context = ModuleContext(ordered: ordered)
        for m in ordered { try m.initialise(context) }
        for m in ordered { try m.start(context) }
        return context
    }
}
