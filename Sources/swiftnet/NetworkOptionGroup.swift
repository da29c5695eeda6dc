import ArgumentParser
import Foundation
import Namespaces
import Swiftnet

/// Options shared by the commands that build a network.
struct NetworkOptionGroup: ParsableArguments {
    @Option(name: [.customShort("i"), .long], help: "Base network for host addresses (Mininet's -i/--ipbase).")
    var ipbase: String?

    @Flag(help: "Give hosts MAC addresses derived from their number (00:00:00:00:00:01 for h1).")
    var mac = false

    @Option(help: "Link parameters for every link, as Mininet's: tc,bw=10,delay=5ms,jitter=1ms,loss=1,max_queue=100,use_tbf=1.")
    var link: String?

    @Flag(help: "Give every host IPv6 (link-local addresses); by default only hosts with an ip6 address have it.")
    var ipv6 = false

    @Flag(name: .customLong("netns-names"), help: "Publish hosts as /run/netns/<name>-<host> so `ip netns exec` works.")
    var netnsNames = false

    @Option(help: "Name of the run (for --netns-names); default: the topology's name.")
    var name: String?

    @Option(name: .customLong("rest-port"), help: "With --controller builtin: the TCP port on 127.0.0.1 for Floodlight's REST paths (/wm/...; default 8080, 0 for none).")
    var restPort: Int?

    @Flag(help: "Give every host a permanent ARP entry for every other host (Mininet's --arp).")
    var arp = false

    @Option(help: "Host kind, as Mininet's: process (the default), cfs[,cpu=F][,period_us=N] or rt,cpu=F[,period_us=N]: each host's processes in a cgroup of its own, limited to the fraction F of the machine's CPU time (cgroup v1 cpu controller).")
    var host: String?

    @Flag(help: "Pin the processes of the i-th host to CPU i mod the number of CPUs (Mininet's --pin).")
    var pin = false

    @Flag(help: "Print more detail (as -v debug).")
    var verbose = false

    @Option(name: [.customShort("v"), .long], help: "How much to print, as Mininet's log levels: debug, info (the default), output (only what commands and tests print), warning, error, critical.")
    var verbosity: Verbosity?

    /// Mininet's log levels, most talkative first.
    enum Verbosity: String, ExpressibleByArgument, CaseIterable, Comparable {
        case debug, info, output, warning, error, critical
        static func < (a: Verbosity, b: Verbosity) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// What `--link` was mapped to, when Mininet named it.
    var linkNotes: [String] { link.flatMap { MininetNames.linkOption($0).note }.map { [$0] } ?? [] }

    /// The level in effect: `--verbose` is `debug`.
    var level: Verbosity { verbose ? .debug : verbosity ?? .info }

    @Flag(help: "Print the build and stop times on a line of their own.")
    var timings = false

    /// Validates `topology` with these options; exits with status 2 on bad input.
    func validate(_ topology: Topology) throws -> ValidatedTopology {
        var t = topology
        if let name, !Topology.isValidRunName(name) {
            throw badInput("--name '\(name)' must be \(Topology.runNameRule): it names files in /run/netns and /run/swiftnet")
        }
        _ = try cpuLimit()
        if let restPort, !(0...65535).contains(restPort) {
            throw badInput("--rest-port \(restPort) is not a TCP port: use 1-65535, or 0 for none")
        }
        if let ipbase { t.ipBase = ipbase }
        if let given = link, let link = MininetNames.linkOption(given).option {
            let defaults: LinkParams
            do { defaults = try LinkParams.parse(option: link) } catch let e as TopologyError { throw badInput("--link \(given): \(e.message)") }
            for i in t.links.indices { t.links[i].params = t.links[i].params.merged(over: defaults) }
        }
        do {
            let v = try t.validated(autoMAC: mac)
            printWarnings(v)
            return v
        } catch let e as TopologyError {
            throw badInput(e.description)
        }
    }

    /// Exits with status 2 when the process lacks the capabilities to build, or when the
    /// kernel cannot honour a link parameter; nothing is created.
    func preflight(_ topology: ValidatedTopology) throws {
        if let message = preflightProblem(topology) { throw badInput(message) }
    }

    /// What `preflight` would refuse, as its one-line message (for callers that report it
    /// their own way, such as the engine under the Python package).
    func preflightProblem(_ topology: ValidatedTopology) -> String? {
        if let message = RequiredCapability.missingMessage() { return message }
        do {
            try Network.checkKernelSupport(for: topology)
            try Network.checkCPULimitSupport(networkOptions(progress: false), hosts: topology.hosts.count)
        } catch let e as NetworkError {
            return e.message
        } catch {
            return "\(error)"
        }
        return nil
    }

    /// `--host` parsed. - Throws: exit status 2 with the reason.
    func cpuLimit() throws -> CPULimit? {
        guard let host else { return nil }
        do { return try CPULimit.parse(option: host) } catch let e as TopologyError { throw badInput("--host \(host): \(e.message)") }
    }

    func networkOptions(progress: Bool) -> NetworkOptions {
        var o = NetworkOptions(runName: name, publishNamespaces: netnsNames)
        o.isCancelled = { Interrupts.shared.interrupted }
        // `swiftnet stop RUN` from another terminal ends the run as SIGTERM does.
        o.onStopRequest = { kill(getpid(), SIGTERM) }
        o.ipv6 = ipv6
        if let restPort { o.restPort = restPort }
        o.staticARP = arp
        o.cpuLimit = host.flatMap { try? CPULimit.parse(option: $0) }
        o.pinCPUs = pin
        if progress && isatty(1) == 1 {
            o.progress = { p in
                let secs = String(format: "%.1f", Double(p.elapsed.components.seconds) + Double(p.elapsed.components.attoseconds) / 1e18)
                let line = "\r*** \(p.phase): \(p.done)/\(p.total) (\(secs) s)\u{1B}[K"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        }
        return o
    }
}

/// Loads a topology file, exiting with status 2 and the file's message when it is bad.
func loadTopologyFile(_ path: String) throws -> Topology {
    do {
        return try Topology.load(yamlFile: path)
    } catch let e as TopologyError {
        throw badInput(e.description)
    }
}
