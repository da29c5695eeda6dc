import Foundation
import Swiftnet

/// Compiles and runs topology scripts: `swiftnet run FILE.swift [-- ARGS]`, the shebang
/// form, and `swiftnet --custom FILE.swift --topo NAME,ARGS`.
///
/// A script is compiled once with the toolchain's `swiftc` against the Swiftnet library
/// (the installed one in `<prefix>/lib/swiftnet`, or the build tree the swiftnet binary
/// sits in), and the binary is cached under a hash of the script, the library and the
/// toolchain version; a second run starts it without compiling.
enum ScriptRunner {
    struct Failure: Error {
        var message: String
        var status: Int32 = 2
    }

    /// Where the library a script links against is: `root` holds libSwiftnet.so and
    /// `Modules/`, both for an install and for a SwiftPM build folder.
    struct Library {
        var root: String
        var isInstalled: Bool

        var kind: String { isInstalled ? "installed" : "build tree" }
        var modules: String { root + "/Modules" }
        var sharedLibrary: String { root + "/libSwiftnet.so" }

        /// Sizes and times of what a script depends on: the cache key changes with them.
        var fingerprint: String {
            [sharedLibrary, modules + "/Swiftnet.swiftmodule"].map { p in
                let a = try? FileManager.default.attributesOfItem(atPath: p)
                let size = (a?[.size] as? NSNumber)?.intValue ?? -1
                let time = (a?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                return "\(p):\(size):\(time)"
            }.joined(separator: ";")
        }

        /// The C modules' maps and extra header folders the compiler needs. Found only
        /// when a script is compiled: a cached script never looks for them.
        func cModules() -> (maps: [String], includes: [String]) {
            isInstalled ? ScriptRunner.installedCModules(root) : ScriptRunner.buildTreeCModules(root)
        }
    }

    static let fm = FileManager.default

    static var executableDirectory: String {
        let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }

    // MARK: - Toolchain and library

    /// `$SWIFTC`, then `swiftc` on PATH, then the toolchain in /opt/swift.
    static func swiftc() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let s = env["SWIFTC"], fm.isExecutableFile(atPath: s) { return s }
        for dir in (env["PATH"] ?? "").split(separator: ":") + ["/opt/swift/usr/bin", "/usr/bin"] {
            let p = "\(dir)/swiftc"
            if fm.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// `swiftc --version`'s first line, remembered in the cache per compiler binary (its
    /// path, size and time), so that a cached script starts without asking the compiler.
    static func toolchainVersion(_ swiftc: String) -> String {
        let a = try? fm.attributesOfItem(atPath: (try? fm.destinationOfSymbolicLink(atPath: swiftc)).map {
            $0.hasPrefix("/") ? $0 : ((swiftc as NSString).deletingLastPathComponent as NSString).appendingPathComponent($0)
        } ?? swiftc)
        let stamp = "\(swiftc):\((a?[.size] as? NSNumber)?.intValue ?? -1):\((a?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        let remembered = cacheDirectory + "/toolchain-" + hash(Data(stamp.utf8))
        if let v = try? String(contentsOfFile: remembered, encoding: .utf8), !v.isEmpty { return v }
        // The driver leaves an empty TemporaryDirectory.* in $TMPDIR: give it one of ours.
        let scratch = cacheDirectory + "/tmp.version.\(getpid())"
        try? fm.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: scratch) }
        let r = capture([swiftc, "--version"], environment: ["TMPDIR": scratch])
        let version = r.output.split(separator: "\n").first.map(String.init) ?? "unknown"
        if r.status == 0 { try? version.write(toFile: remembered, atomically: false, encoding: .utf8) }
        return version
    }

    /// `$SWIFTNET_LIBRARY`, then `<bin>/../lib/swiftnet` (what `make install` writes), then
    /// the build tree the binary was built in.
    static func library() -> Library? {
        func has(_ root: String) -> Bool {
            fm.fileExists(atPath: root + "/Modules/Swiftnet.swiftmodule") && fm.fileExists(atPath: root + "/libSwiftnet.so")
        }
        var candidates: [String] = []
        if let l = ProcessInfo.processInfo.environment["SWIFTNET_LIBRARY"] { candidates.append(l) }
        candidates.append(((executableDirectory as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lib/swiftnet"))
        if let root = candidates.first(where: has) { return Library(root: root, isInstalled: true) }
        // A developer's `swift build`, and the tests: the library built beside the binary.
        return has(executableDirectory) ? Library(root: executableDirectory, isInstalled: false) : nil
    }

    /// What `Tools/install_library.py` wrote: include/<Module>/module.modulemap, include-paths.
    static func installedCModules(_ root: String) -> (maps: [String], includes: [String]) {
        let include = root + "/include"
        let maps = ((try? fm.contentsOfDirectory(atPath: include)) ?? []).sorted()
            .map { "\(include)/\($0)/module.modulemap" }.filter { fm.fileExists(atPath: $0) }
        let extra = (try? String(contentsOfFile: root + "/include-paths", encoding: .utf8))?
            .split(separator: "\n").map(String.init) ?? []
        return (maps, extra)
    }

    /// In a SwiftPM build folder: the generated maps of C targets, the packages' own maps
    /// (in their include folders), and this package's system libraries.
    static func buildTreeCModules(_ root: String) -> (maps: [String], includes: [String]) {
        var maps = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { $0.hasSuffix(".build") }.sorted()
            .map { "\(root)/\($0)/module.modulemap" }.filter { fm.fileExists(atPath: $0) }
        var dir = root
        var packageRoot: String?
        for _ in 0..<4 {
            dir = (dir as NSString).deletingLastPathComponent
            let checkouts = dir + "/checkouts"
            if fm.fileExists(atPath: checkouts) {
                for package in ((try? fm.contentsOfDirectory(atPath: checkouts)) ?? []).sorted() {
                    let sources = "\(checkouts)/\(package)/Sources"
                    for target in ((try? fm.contentsOfDirectory(atPath: sources)) ?? []).sorted() {
                        let m = "\(sources)/\(target)/include/module.modulemap"
                        if fm.fileExists(atPath: m) { maps.append(m) }
                    }
                }
            }
            if fm.fileExists(atPath: dir + "/Package.swift") { packageRoot = dir; break }
        }
        if let packageRoot {
            for target in ["CNetlink", "CLibcap"] {
                let m = "\(packageRoot)/Sources/\(target)/module.modulemap"
                if fm.fileExists(atPath: m) { maps.append(m) }
            }
        }
        return (maps, ["/usr/include/libnl3"])
    }

    static var cacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let c = env["SWIFTNET_CACHE"] { return c }
        if let x = env["XDG_CACHE_HOME"] { return x + "/swiftnet/scripts" }
        // $HOME first: in a rootless run the user is root of its own namespace, and the
        // password file's home of root is not the user's.
        if let h = env["HOME"], !h.isEmpty { return h + "/.cache/swiftnet/scripts" }
        return NSHomeDirectory() + "/.cache/swiftnet/scripts"
    }

    // MARK: - Compiling

    /// The compiled binary for `script`, from the cache or compiled now.
    /// - Throws: `Failure` when the script cannot be read, the toolchain or library is
    ///   missing (status 2), or the compiler refuses the script (its messages were printed; 2).
    static func compile(_ script: String, quiet: Bool = false) throws -> String {
        guard let source = fm.contents(atPath: script) else {
            throw Failure(message: "cannot read \(script): \(fm.fileExists(atPath: script) ? "permission denied" : "no such file")")
        }
        guard let swiftc = swiftc() else {
            throw Failure(message: "\(script): no Swift compiler found (set SWIFTC, or put swiftc on PATH); `swiftnet doctor` says what is installed")
        }
        guard let lib = library() else {
            throw Failure(message: "\(script): the Swiftnet library is not installed; run `make install` in the swiftnet source tree (`swiftnet doctor` says what is installed)")
        }
        let version = toolchainVersion(swiftc)
        var key = Data(source)
        key.append(Data("\u{0}\(lib.fingerprint)\u{0}\(version)\u{0}\(lib.root)".utf8))
        let hash = Self.hash(key)
        let dir = cacheDirectory + "/" + hash
        let name = moduleName(for: script)
        let binary = dir + "/" + name
        if fm.isExecutableFile(atPath: binary) { return binary }
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if !quiet { FileHandle.standardError.write(Data("*** Compiling \(script)\n".utf8)) }
        let temporary = binary + ".\(getpid()).tmp"
        // The script is compiled as the main file of a module that imports the scripts'
        // adapter (`Script`: exit statuses, Ctrl-C) besides whatever the script imports;
        // the compiler's messages still name the script's own file and lines.
        let main = dir + "/main.\(getpid()).swift"
        let quoted = script.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let prelude = "import SwiftnetScript\n#sourceLocation(file: \"\(quoted)\", line: 1)\n"
        // A `#!` line is allowed only at the very start of a file: after the prelude it
        // becomes a comment (the line count stays).
        var body = source
        if body.starts(with: Array("#!".utf8)) { body = Data("//".utf8) + body.dropFirst(2) }
        guard fm.createFile(atPath: main, contents: Data(prelude.utf8) + body + Data("\n#sourceLocation()\n".utf8)) else {
            throw Failure(message: "\(script): cannot write \(main)")
        }
        defer { try? fm.removeItem(atPath: main) }
        var args = [swiftc, main, "-module-name", name, "-o", temporary, "-I", lib.modules,
                    "-L", lib.root, "-lSwiftnet", "-Xlinker", "-rpath", "-Xlinker", lib.root]
        let c = lib.cModules()
        for m in c.maps { args += ["-Xcc", "-fmodule-map-file=\(m)"] }
        for i in c.includes { args += ["-Xcc", "-I\(i)"] }
        // The compiler leaves an empty TemporaryDirectory.* behind in $TMPDIR: give it one
        // of ours, removed afterwards.
        let scratch = dir + "/tmp.\(getpid())"
        try fm.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: scratch) }
        let status = passthrough(args, environment: ["TMPDIR": scratch])
        guard status == 0, fm.fileExists(atPath: temporary) else {
            try? fm.removeItem(atPath: temporary)
            throw Failure(message: "\(script): it did not compile (the compiler's messages are above)")
        }
        // Renamed into place: a half-written binary is never taken from the cache.
        _ = rename(temporary, binary)
        return binary
    }

    /// A Swift module name from the file name: letters, digits and _ only.
    static func moduleName(for script: String) -> String {
        let base = ((script as NSString).lastPathComponent as NSString).deletingPathExtension
        var name = String(base.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        if name.isEmpty || name.first!.isNumber { name = "script_" + name }
        if name == "Swiftnet" || name == "main" { name += "_script" }
        return name
    }

    /// 128 bits of two FNV-1a hashes: a cache key, not a security measure.
    static func hash(_ data: Data) -> String {
        var a: UInt64 = 0xCBF2_9CE4_8422_2325, b: UInt64 = 0x84222325_CBF29CE4
        for byte in data {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x100_0000_01B3 &+ 0x9E37
        }
        return String(format: "%016llx%016llx", a, b)
    }

    // MARK: - Running

    /// `swiftnet run FILE.swift [--] ARGS...`: compiles if needed and replaces this process
    /// with the script, so signals and the exit status are the script's own.
    static func run(_ script: String, arguments: [String]) -> Never {
        let binary: String
        do {
            binary = try compile(script)
        } catch let f as Failure {
            FileHandle.standardError.write(Data("swiftnet: \(f.message)\n".utf8))
            exit(f.status)
        } catch {
            FileHandle.standardError.write(Data("swiftnet: \(script): \(error)\n".utf8))
            exit(2)
        }
        setenv("SWIFTNET_SCRIPT", script, 1)
        let argv = [script] + arguments
        var cargs = argv.map { strdup($0) } + [nil]
        execv(binary, &cargs)
        FileHandle.standardError.write(Data("swiftnet: cannot run \(binary): \(String(cString: strerror(errno)))\n".utf8))
        exit(2)
    }

    /// Asks a script for one of the topologies it offers (`--custom FILE.swift --topo NAME,ARGS`).
    static func topology(from script: String, request: String) throws -> Topology {
        let binary = try compile(script)
        let out = NSTemporaryDirectory() + "swiftnet-topology-\(getpid())-\(UUID().uuidString).json"
        defer { try? fm.removeItem(atPath: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = []
        var env = ProcessInfo.processInfo.environment
        env["SWIFTNET_TOPOLOGY"] = request
        env["SWIFTNET_TOPOLOGY_OUT"] = out
        env["SWIFTNET_SCRIPT"] = script
        p.environment = env
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(message: "\(script) could not give topology '\(request)' (its message is above)")
        }
        guard let data = fm.contents(atPath: out) else {
            throw Failure(message: "\(script) offers no topologies: call Script.offer([\"name\": { args in ... }]) before building anything")
        }
        do {
            return try JSONDecoder().decode(Topology.self, from: data)
        } catch {
            throw Failure(message: "\(script): its topology '\(request)' could not be read: \(error)")
        }
    }

    // MARK: - Processes

    static func passthrough(_ args: [String], environment: [String: String] = [:]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        do { try p.run() } catch { return 127 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func capture(_ args: [String], environment: [String: String] = [:]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (127, "") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
