import ArgumentParser
import Foundation
import Glibc
import SwiftnetCLI

/// The `mininet` Python package that ships with swiftnet: where it is, and running
/// Python with it.
enum PythonLayer {
    static let fm = FileManager.default

    /// The directory holding the `mininet` package: `$SWIFTNET_PYTHONPATH`, then
    /// `<bin>/../lib/swiftnet/python` (what `make install` writes), then `Python/` of the
    /// source tree the binary was built in.
    static func directory() -> String? {
        func has(_ dir: String) -> Bool { fm.fileExists(atPath: dir + "/mininet/__init__.py") }
        let exeDir = ScriptRunner.executableDirectory
        var candidates: [String] = []
        if let d = ProcessInfo.processInfo.environment["SWIFTNET_PYTHONPATH"] { candidates.append(d) }
        candidates.append(((exeDir as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lib/swiftnet/python"))
        var dir = exeDir
        while dir != "/" && !dir.isEmpty {
            candidates.append((dir as NSString).appendingPathComponent("Python"))
            dir = (dir as NSString).deletingLastPathComponent
        }
        return candidates.first(where: has)
    }

    /// The environment Python needs to find the package and the engine.
    static func environment(_ dir: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PYTHONPATH"] = [dir, env["PYTHONPATH"]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ":")
        env["SWIFTNET_BIN"] = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // Bytecode caches would be written into the installed package (or the source tree).
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env
    }

    static func missing() -> Never {
        FileHandle.standardError.write(Data("swiftnet: the mininet Python package is not installed beside this swiftnet (looked in <bin>/../lib/swiftnet/python and the source tree's Python/); run make install, or set SWIFTNET_PYTHONPATH\n".utf8))
        exit(2)
    }

    /// `swiftnet python [ARGS]`: python3 with the package first on its path, in place of
    /// this process (the script owns its network through the engine it starts).
    static func exec(_ arguments: [String]) -> Never {
        guard let dir = directory() else { missing() }
        for (k, v) in environment(dir) { setenv(k, v, 1) }
        let argv = ["python3"] + arguments
        var cargs = argv.map { strdup($0) } + [nil]
        execvp("python3", &cargs)
        FileHandle.standardError.write(Data("swiftnet: cannot run python3: \(String(cString: strerror(errno))); install Debian's python3\n".utf8))
        exit(2)
    }
}

/// `swiftnet python-path`: the directory to put on PYTHONPATH for `import mininet`.
struct PythonPath: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "python-path",
        abstract: "Print the directory of swiftnet's mininet Python package (PYTHONPATH=$(swiftnet python-path) python3 script.py).")

    func run() throws {
        guard let dir = PythonLayer.directory() else { PythonLayer.missing() }
        print(dir)
    }
}

/// `swiftnet python SCRIPT.py [ARGS]`: listed in help; `Root.main` runs it before parsing,
/// so the script's own options stay its own.
struct PythonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "python",
        abstract: "Run a Mininet Python script unchanged (sudo swiftnet python script.py [ARGS]); swiftnet builds and owns its network.")

    @Argument(parsing: .captureForPassthrough, help: "The script and its arguments, or python3's own (-m mininet.examples.X, -c CODE).")
    var arguments: [String] = []

    func run() throws { PythonLayer.exec(arguments) }
}

/// `py` and `px` in the shell of a network swiftnet runs itself: a Python started on
/// first use with the package attached to the run's control socket. Its input and output
/// carry one JSON message per line; it ends when its input closes (with the shell, or
/// with swiftnet, however swiftnet ends).
final class AttachedPython: PythonEvaluator, @unchecked Sendable {
    let socket: String
    private let lock = NSLock()
    private var process: Process?
    private var toPython: FileHandle?
    private var channel: EngineChannel?

    init(socket: String) { self.socket = socket }

    deinit { close() }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        try? toPython?.close()
        process?.waitUntilExit()
        process = nil
        toPython = nil
    }

    private func start() -> String? {
        guard let dir = PythonLayer.directory() else { return "the mininet Python package is not installed beside this swiftnet (see swiftnet python-path)" }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-m", "mininet._attach", socket]
        p.environment = PythonLayer.environment(dir)
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        do { try p.run() } catch { return "cannot start python3: \(error)" }
        process = p
        toPython = input.fileHandleForWriting
        channel = EngineChannel(input: output.fileHandleForReading.fileDescriptor, output: input.fileHandleForWriting.fileDescriptor)
        return nil
    }

    func evaluate(_ code: String, statement: Bool) -> (output: String, failed: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if process == nil, let problem = start() { return ("*** py: \(problem)", true) }
        channel!.send(["py": code, "statement": statement])
        guard let reply = channel!.receive() else {
            process = nil
            return ("*** py: the Python layer ended (see its message above)", true)
        }
        return (reply["output"] as? String ?? "", reply["failed"] as? Bool ?? false)
    }
}
