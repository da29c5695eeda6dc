import ArgumentParser
import Foundation
import Namespaces
import Swiftnet

/// `swiftnet doctor`: what is installed and where, and what this machine can do.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report what is installed (binary, library for scripts, toolchain, tools) and what the kernel offers.")

    func run() throws {
        var problems = 0
        func line(_ ok: Bool?, _ what: String, _ detail: String) {
            let mark = ok == nil ? "  " : ok! ? "ok" : "!!"
            print("\(mark) \(what.padding(toLength: 24, withPad: " ", startingAt: 0)) \(detail)")
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        line(true, "swiftnet", exe)

        let swiftc = ScriptRunner.swiftc()
        line(swiftc != nil, "Swift compiler", swiftc.map { "\($0) (\(ScriptRunner.toolchainVersion($0)))" } ?? "not found: set SWIFTC or put swiftc on PATH (scripts need it)")
        if swiftc == nil { problems += 1 }

        if let lib = ScriptRunner.library() {
            line(true, "library for scripts", "\(lib.sharedLibrary) (\(lib.kind))")
            line(nil, "  modules", lib.modules)
            line(nil, "  C module maps", "\(lib.moduleMaps.count)")
        } else {
            problems += 1
            line(false, "library for scripts", "not installed: run `make install` in the source tree (scripts need it)")
        }
        let cache = ScriptRunner.cacheDirectory
        let cached = ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).filter { !$0.hasPrefix("toolchain-") }.count
        line(nil, "script cache", "\(cache) (\(cached) compiled scripts)")

        let capability = RequiredCapability.missingMessage()
        line(capability == nil, "privileges", capability ?? "CAP_SYS_ADMIN and CAP_NET_ADMIN")

        let tools: [(String, String, String)] = [
            ("ping", "/usr/bin/ping", "iputils-ping"), ("iperf3", "/usr/bin/iperf3", "iperf3"),
            ("dnsmasq", "/usr/sbin/dnsmasq", "dnsmasq-base"), ("FRR", "/usr/lib/frr/zebra", "frr"),
            ("ovs-testcontroller", "/usr/bin/ovs-testcontroller", "openvswitch-testcontroller"),
            ("os-ken", "/opt/swiftnet-venv/bin/osken-manager", "make controllers"),
        ]
        for (name, path, package) in tools {
            let ok = FileManager.default.isExecutableFile(atPath: path)
            line(ok ? true : nil, name, ok ? path : "not installed (\(package)); optional")
        }
        for (module, what) in [("sch_netem", "delay/jitter/loss on Linux bridges"), ("openvswitch", "Open vSwitch's kernel datapath")] {
            let loaded = FileManager.default.fileExists(atPath: "/sys/module/\(module)")
            let available = loaded || Self.moduleFileExists(module)
            line(available ? true : nil, module, available ? "available (\(what))" : "missing (\(what)); --switch user does without it")
        }
        if problems > 0 {
            print("\(problems) problem(s): scripts (`swiftnet run FILE.swift`) will not work until they are fixed")
            throw ExitCode(1)
        }
    }

    static func moduleFileExists(_ name: String) -> Bool {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let dep = (try? String(contentsOfFile: "/lib/modules/\(release)/modules.dep", encoding: .utf8)) ?? ""
        return dep.contains("/\(name).ko")
    }
}
