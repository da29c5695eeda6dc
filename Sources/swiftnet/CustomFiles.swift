import Foundation
import Swiftnet

/// `--custom FILE[,FILE...]` as Mininet reads it: Python files offer `topos` and `tests`
/// (read by the mininet package), a Swift script offers named topologies, a YAML file is
/// the topology itself.
struct CustomFiles {
    var python: [String] = []
    var swift: [String] = []
    var yaml: [String] = []
    /// The topologies and tests the Python files define (read once, by one python3).
    private(set) var pythonTopos: [String] = []
    private(set) var pythonTests: [String] = []

    init(_ option: String?) throws {
        for f in (option ?? "").split(separator: ",").map(String.init) where !f.isEmpty {
            guard FileManager.default.fileExists(atPath: f) else {
                throw badInput("--custom \(f): no such file")
            }
            if f.hasSuffix(".py") { python.append(f) } else if f.hasSuffix(".swift") { swift.append(f) } else { yaml.append(f) }
        }
        if swift.count > 1 { throw badInput("--custom: give one Swift script (\(swift.joined(separator: ", ")))") }
        if yaml.count > 1 { throw badInput("--custom: give one YAML topology (\(yaml.joined(separator: ", ")))") }
        if !python.isEmpty {
            let json = try runPython(["names"] + python)
            pythonTopos = json["topos"] as? [String] ?? []
            pythonTests = json["tests"] as? [String] ?? []
        }
    }

    /// The topology `--topo` names (or the YAML file, or Mininet's minimal).
    func topology(topo: String?, link: String?) throws -> Topology {
        let name = topo.map { String($0.prefix { $0 != "," }) }
        if let topo, let name, pythonTopos.contains(name) {
            return try pythonTopology(topo, link: link)
        }
        if let script = swift.first {
            guard let topo else { throw badInput("--custom \(script): name one of the script's topologies with --topo NAME[,ARGS]") }
            do {
                return try ScriptRunner.topology(from: script, request: topo)
            } catch let f as ScriptRunner.Failure {
                throw badInput(f.message)
            }
        }
        if let topo {
            do { return try Topology.builtin(topo) } catch let e as TopologyError {
                throw badInput(e.message + (pythonTopos.isEmpty ? "" : " (the custom files offer \(pythonTopos.joined(separator: ", ")))"))
            }
        }
        if let file = yaml.first { return try loadTopologyFile(file) }
        return try Topology.builtin("minimal")
    }

    /// A Python file's topology, with every node's and link's location in that file.
    func pythonTopology(_ topo: String, link: String?) throws -> Topology {
        var args = ["topology", "--topo", topo]
        if let link { args += ["--link", link] }
        let json = try runPython(args + python)
        guard let text = json["text"] as? String else { throw badInput("--custom: the mininet package gave no topology") }
        var spec: Topology
        do { spec = try Topology.parse(yaml: text, file: "<topology>") } catch let e as TopologyError { throw badInput(e.description) }
        // Topology line -> [file, line] of the Python call that made what stands there.
        let lines = json["lines"] as? [String: [Any]] ?? [:]
        func relocate(_ l: SourceLocation?) -> SourceLocation? {
            guard let l, let at = lines[String(l.line)], let file = at.first as? String, let n = at.last as? Int else { return nil }
            return SourceLocation(file: file, line: n)
        }
        for i in spec.hosts.indices { spec.hosts[i].location = relocate(spec.hosts[i].location) }
        for i in spec.switches.indices { spec.switches[i].location = relocate(spec.switches[i].location) }
        for i in spec.links.indices { spec.links[i].location = relocate(spec.links[i].location) }
        spec.location = python.first.map { SourceLocation(file: $0, line: 1) }
        let name = String(topo.prefix { $0 != "," })
        if Topology.isValidRunName(name) { spec.name = name }
        return spec
    }

    /// `--test NAME` from a Python file: the mininet package builds the topology and runs
    /// the test (Mininet's `tests = {...}`); returns its exit status.
    func runPythonTest(_ test: String, topo: String?, link: String?) throws -> Int32 {
        guard let dir = PythonLayer.directory() else { PythonLayer.missing() }
        var args = ["/usr/bin/env", "python3", "-m", "mininet._custom", "test", "--test", test, "--topo", topo ?? "minimal"]
        if let link { args += ["--link", link] }
        return ScriptRunner.passthrough(args + python, environment: PythonLayer.environment(dir))
    }

    /// Runs `python3 -m mininet._custom ARGS`; its standard output is one JSON object, and
    /// a failure is its one-line message (exit status 2 here too).
    private func runPython(_ args: [String]) throws -> [String: Any] {
        guard let dir = PythonLayer.directory() else { PythonLayer.missing() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-m", "mininet._custom"] + args
        p.environment = PythonLayer.environment(dir)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { throw badInput("--custom: cannot run python3: \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            let message = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw badInput(message.isEmpty ? "--custom \(python.joined(separator: ",")): python3 failed (status \(p.terminationStatus))" : message)
        }
        return json
    }
}
