import Dispatch
import Foundation
import Namespaces
@_exported import Swiftnet

/// What a topology script (`sudo swiftnet run mytopo.swift`) needs: its arguments, a way to
/// offer named topologies to `swiftnet --custom mytopo.swift --topo name,args`, and a way to
/// build a network with the command line's privilege check, Ctrl-C handling and output.
///
/// This is the scripts' adapter, the one place besides the `swiftnet` command that ends
/// the process and handles signals: the Swiftnet library itself never does (its scoped
/// API is `Network.run(topology) { net in ... }`, which throws). `swiftnet run` compiles
/// a script with this module imported.
///
/// ```swift
/// import Swiftnet
///
/// func dumbbell(_ n: Int) -> Topology { Topology("dumbbell") { ... } }
///
/// Script.offer(["dumbbell": { args in dumbbell(args.int(0, default: 2)) }])
///
/// try Script.run(dumbbell(Script.arguments.int("n", default: 2))) { net in
///     Script.pingAll(net)
/// }
/// ```
public enum Script {
    /// Set by `swiftnet --custom FILE.swift --topo NAME,ARGS` when it runs a script to ask
    /// for one of its topologies; `SWIFTNET_TOPOLOGY_OUT` names the file for the answer.
    static let requestVariable = "SWIFTNET_TOPOLOGY"
    static let answerVariable = "SWIFTNET_TOPOLOGY_OUT"

    /// The script's own path, as `swiftnet run` was given it (or the program's path).
    public static var path: String {
        ProcessInfo.processInfo.environment["SWIFTNET_SCRIPT"] ?? CommandLine.arguments[0]
    }

    /// The arguments after `--` on `swiftnet run FILE.swift -- ...`.
    public static var arguments: ScriptArguments { ScriptArguments(Array(CommandLine.arguments.dropFirst())) }

    /// A function that makes a topology from `--topo name,arg,key=value` arguments.
    public typealias TopologyMaker = (ScriptArguments) throws -> Topology

    /// Offers named topologies to `swiftnet --custom FILE.swift --topo NAME,ARGS`, as
    /// Mininet's `topos = {...}` dictionary. Call it before building anything: when the
    /// script runs to answer `--custom`, this writes the asked-for topology and exits.
    /// When the script runs on its own, it returns and the script carries on.
    public static func offer(_ topologies: [String: TopologyMaker]) {
        let env = ProcessInfo.processInfo.environment
        guard let request = env[requestVariable], let out = env[answerVariable] else { return }
        var parts = request.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let name = parts.isEmpty ? "" : parts.removeFirst()
        guard let make = topologies[name] else {
            let known = topologies.keys.sorted().joined(separator: ", ")
            fail("\(path): no topology '\(name)' here; this script offers: \(known.isEmpty ? "none" : known)", status: 2)
        }
        do {
            let topology = try make(ScriptArguments(parts, commaSeparated: true))
            let data = try JSONEncoder().encode(topology)
            try data.write(to: URL(fileURLWithPath: out))
            exit(0)
        } catch let e as TopologyError {
            fail("\(path): topology '\(name)': \(e)", status: 2)
        } catch {
            fail("\(path): topology '\(name)': \(error)", status: 2)
        }
    }

    /// Builds `topology`, runs `body` with the running network, and tears it down, as the
    /// command line does: a bad topology or missing privileges end the script with one
    /// message and status 2 before anything is built; Ctrl-C (or SIGTERM) tears the network
    /// down and ends with status 130; an error thrown by `body` ends with status 1.
    public static func run(_ topology: Topology, options: NetworkOptions = NetworkOptions(),
                           _ body: (Network) throws -> Void) {
        if ProcessInfo.processInfo.environment[requestVariable] != nil {
            fail("\(path): asked for a topology, but the script builds a network before Script.offer(...) answered; call Script.offer first", status: 2)
        }
        let validated: ValidatedTopology
        do {
            validated = try topology.validated()
        } catch {
            fail("\(error)", status: 2)
        }
        if let message = RequiredCapability.missingMessage() { fail("\(path): \(message)", status: 2) }
        let net = Network(validated, options: options)
        let watch = InterruptWatch(net)
        say("*** Creating network \(validated.name): \(validated.hosts.count) hosts, \(validated.switches.count) switches, \(validated.links.count) links")
        do {
            try net.start()
        } catch {
            net.stop()
            fail("\(path): \(error)\n*** Nothing was left behind", status: 2)
        }
        say(String(format: "*** Network up in %.3f s", seconds(net.buildTime)))
        do {
            defer {
                net.stop()
                watch.cancel()
            }
            try body(net)
        } catch {
            fail("\(path): \(error)", status: 1)
        }
        say("*** Network stopped")
    }

    /// Pings every pair of end hosts and prints Mininet's table; returns the result.
    @discardableResult
    public static func pingAll(_ net: Network, timeout: Int = 3) -> PingAllResult {
        say("*** Ping: testing ping reachability")
        let result = net.pingAll(timeout: timeout, onRow: { say($0.mininetLine) })
        say(result.summaryLine)
        return result
    }

    /// Prints rows as an aligned table with a header line.
    public static func printTable(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c.padding(toLength: widths[min(i, widths.count - 1)], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        say(line(header))
        say(line(widths.map { String(repeating: "-", count: $0) }))
        for r in rows { say(line(r)) }
    }

    static func say(_ text: String) {
        print(text)
        fflush(nil)
    }

    static func fail(_ message: String, status: Int32) -> Never {
        fflush(nil)
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
        exit(status)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

extension Script {
    private static let interruptLock = NSLock()
    nonisolated(unsafe) private static var interruptHandler: (@Sendable () -> Void)?

    /// While a handler is set, Ctrl-C inside `Script.run` calls it instead of stopping the
    /// network (the interactive shell uses this to stop its foreground command); nil
    /// restores the default.
    public static func routeInterrupts(to handler: (@Sendable () -> Void)?) {
        interruptLock.withLock { interruptHandler = handler }
    }

    static var currentInterruptHandler: (@Sendable () -> Void)? { interruptLock.withLock { interruptHandler } }
}

/// Tears a script's network down on Ctrl-C or SIGTERM, then ends the script (130).
private final class InterruptWatch: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    init(_ net: Network) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                if sig == SIGINT, let h = Script.currentInterruptHandler { return h() }
                FileHandle.standardError.write(Data("\n*** Interrupted: stopping the network\n".utf8))
                net.stop()
                exit(130)
            }
            s.resume()
            sources.append(s)
        }
    }

    func cancel() {
        for s in sources { s.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// An error a script throws from `Script.run`'s body to end with a message and status 1.
public struct ScriptError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A script's arguments: `--k 4 --name x` and positional words after `swiftnet run FILE --`,
/// or `4,name=x` after a `--topo` name.
public struct ScriptArguments: Sendable {
    /// The words without a name, in order.
    public var positional: [String] = []
    /// `--key value`, `--key=value` or `key=value`.
    public var named: [String: String] = [:]

    public init(_ words: [String], commaSeparated: Bool = false) {
        var i = 0
        while i < words.count {
            let w = words[i]
            if commaSeparated {
                if let eq = w.firstIndex(of: "=") { named[String(w[..<eq])] = String(w[w.index(after: eq)...]) } else { positional.append(w) }
            } else if w.hasPrefix("--") {
                let key = String(w.dropFirst(2))
                if let eq = key.firstIndex(of: "=") {
                    named[String(key[..<eq])] = String(key[key.index(after: eq)...])
                } else if i + 1 < words.count && !words[i + 1].hasPrefix("--") {
                    named[key] = words[i + 1]
                    i += 1
                } else {
                    named[key] = "true"
                }
            } else {
                positional.append(w)
            }
            i += 1
        }
    }

    /// The named value as an integer, or `default`; a value that is not one ends the
    /// script with a message and status 2.
    public func int(_ name: String, default value: Int) -> Int {
        parse(named[name], "--\(name)", "a whole number", Int.init) ?? value
    }

    /// The positional value at `index` as an integer, or `default`.
    public func int(_ index: Int, default value: Int) -> Int {
        parse(index < positional.count ? positional[index] : nil, "argument \(index + 1)", "a whole number", Int.init) ?? value
    }

    /// The named value as a number, or `default`.
    public func double(_ name: String, default value: Double) -> Double {
        parse(named[name], "--\(name)", "a number", Double.init) ?? value
    }

    /// The positional value at `index` as a number, or `default`.
    public func double(_ index: Int, default value: Double) -> Double {
        parse(index < positional.count ? positional[index] : nil, "argument \(index + 1)", "a number", Double.init) ?? value
    }

    /// nil when not given; the parsed value; or the script ends (status 2) saying what was wrong.
    private func parse<T>(_ text: String?, _ what: String, _ kind: String, _ make: (String) -> T?) -> T? {
        guard let text else { return nil }
        guard let v = make(text) else { Script.fail("\(Script.path): \(what) must be \(kind), not '\(text)'", status: 2) }
        return v
    }

    /// The named value as written, or `default`.
    public func string(_ name: String, default value: String) -> String { named[name] ?? value }
}
