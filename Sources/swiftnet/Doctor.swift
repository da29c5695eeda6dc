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
            line(nil, "  C module maps", "\(lib.cModules().maps.count)")
        } else {
            problems += 1
            line(false, "library for scripts", "not installed: run `make install` in the source tree (scripts need it)")
        }
        let cache = ScriptRunner.cacheDirectory
        let cached = ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).filter { !$0.hasPrefix("toolchain-") }.count
        line(nil, "script cache", "\(cache) (\(cached) compiled scripts)")

        let capability = RequiredCapability.missingMessage()
        let rootless = capability != nil && geteuid() != 0 && Rootless.unavailable() == nil
        line(capability == nil || rootless, "privileges",
             capability == nil ? "CAP_SYS_ADMIN and CAP_NET_ADMIN" : rootless ? "none needed: runs are rootless (below)" : capability!)
        line(nil, "mode", Rootless.modeDescription())

        // The same checks a build makes before it starts.
        line(Network.dnsmasqPath != nil ? true : nil, "dnsmasq", Network.dnsmasqPath ?? "not installed (dnsmasq-base): kind: dns hosts need it")
        line(Network.frrInstalled ? true : nil, "FRR", Network.frrInstalled ? "installed" : "not installed (frr): routing: ospf/bgp need it")
        let tools: [(String, String, String)] = [
            ("ping", "/usr/bin/ping", "iputils-ping"), ("iperf3", "/usr/bin/iperf3", "iperf3"),
            ("ovs-testcontroller", "/usr/bin/ovs-testcontroller", "openvswitch-testcontroller"),
            ("os-ken", "/opt/swiftnet-venv/bin/osken-manager", "make controllers"),
        ]
        for (name, path, package) in tools {
            let ok = FileManager.default.isExecutableFile(atPath: path)
            line(ok ? true : nil, name, ok ? path : "not installed (\(package)); optional")
        }
        // netem as a build sees it: probed in a throwaway namespace (that needs the privileges).
        if capability == nil, let q = try? Network.kernelQdiscs() {
            line(q.netem ? true : nil, "sch_netem", q.netem ? "available (delay/jitter/loss on Linux bridges)"
                 : "missing: delay/jitter/loss need --switch user, which applies them itself")
        } else {
            line(nil, "sch_netem", "not probed (needs root)")
        }
        let ovs = FileManager.default.fileExists(atPath: "/sys/module/openvswitch")
        line(ovs ? true : nil, "openvswitch module", ovs ? "loaded" : "not loaded; swiftnet does not need it (--switch user)")
        if problems > 0 {
            print("\(problems) problem(s): scripts (`swiftnet run FILE.swift`) will not work until they are fixed")
            throw ExitCode(1)
        }
    }
}
