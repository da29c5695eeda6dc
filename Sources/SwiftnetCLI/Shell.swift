import Foundation
import Glibc
import Swiftnet

/// The `swiftnet>` shell: Mininet's CLI commands over a running network.
///
/// `<node> <command…>` runs the command inside the node (through `sh -c`), with other
/// node names replaced by their IP addresses; a trailing `&` runs it in the background.
/// Ctrl-C stops the foreground command, never the network.
public final class Shell: @unchecked Sendable {
    public let net: Network
    let lock = NSLock()
    /// The process group of the foreground command, while one runs.
    var foreground: pid_t?
    var interruptsSinceForeground = 0
    /// Ctrl-Cs so far: a built-in command (pingall, iperf, source) stops when it changes.
    var interrupts = 0
    /// Background jobs: number, pid, command line.
    var jobs: [(number: Int, pid: pid_t, command: String)] = []
    var nextJob = 1
    /// Exit status of the last command (the shell's status when reading a script).
    public internal(set) var lastStatus: Int32 = 0
    var sourceDepth = 0

    public init(network: Network) {
        self.net = network
    }

    /// Every command the shell knows, with its one-line help.
    static let commands: [(String, String)] = [
        ("help", "help [CMD]: list commands, or explain one"),
        ("nodes", "nodes: list the nodes"),
        ("net", "net: list the nodes with their links"),
        ("dump", "dump: describe every node"),
        ("links", "links: list the links and their state"),
        ("intfs", "intfs: list the interfaces of every node"),
        ("ports", "ports: list the ports of every switch"),
        ("pingall", "pingall [TIMEOUT]: ping between all hosts (wait up to TIMEOUT s, default 3)"),
        ("pingallfull", "pingallfull: pingall with round-trip times"),
        ("pingpair", "pingpair: ping between the first two hosts"),
        ("iperf", "iperf [HOST1 HOST2]: measure TCP bandwidth with iperf3 (default: first and last host)"),
        ("iperfudp", "iperfudp BW [HOST1 HOST2]: measure UDP bandwidth at BW (e.g. 10M)"),
        ("link", "link A B up|down: bring the links between A and B up or down; link A B bw=5 [delay=5ms ...]: reshape them"),
        ("route", "route NODE [DEST]: print NODE's routing table, or how it routes DEST (ip route get)"),
        ("path", "path SRC DST: follow the forwarding path from SRC to DST through the routers' tables"),
        ("dpctl", "dpctl dump-flows|dump-ports [SWITCH]: print user switches' flow tables or port counters (all switches without SWITCH)"),
        ("switch", "switch SWITCH start|stop: stop a user switch (it forwards nothing and drops its controller connection and flows) or start it again"),
        ("sh", "sh CMD: run CMD in the machine's own shell (outside the network)"),
        ("source", "source FILE: read commands from FILE"),
        ("time", "time CMD: run a shell command and print how long it took"),
        ("noecho", "noecho NODE CMD: run CMD in NODE (as NODE CMD)"),
        ("wait", "wait: wait until every background job has finished"),
        ("jobs", "jobs: list background jobs"),
        ("exit", "exit: stop the network and leave (also quit, Ctrl-D)"),
        ("quit", "quit: same as exit"),
    ]

    /// Reads and runs commands until `exit`, `quit` or end of input.
    /// - Returns: the status of the last command (for scripts).
    @discardableResult
    public func run(_ source: LineSource, prompt: String?) -> Int32 {
        source.setCompletions(Self.commands.map(\.0) + net.topology.nodeNames)
        while let line = source.readLine(prompt: prompt ?? "") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            source.remember(trimmed)
            if !execute(trimmed) { break }
        }
        if prompt != nil && isatty(0) == 1 { print("") }
        source.close()
        killJobs()
        return lastStatus
    }

    /// Runs one command line. Returns false when the shell should end.
    @discardableResult
    public func execute(_ line: String) -> Bool {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = words.first else { return true }
        let rest = Array(words.dropFirst())
        let restText = line.drop { !$0.isWhitespace }.trimmingCharacters(in: .whitespaces)
        lastStatus = 0
        switch first {
        case "exit", "quit", "EOF":
            return false
        case "help": help(rest.first)
        case "nodes": say("available nodes are: \n" + net.topology.nodeNames.joined(separator: " "))
        case "net": say(netText())
        case "dump": say(dumpText())
        case "links": say(linksText())
        case "intfs": say(intfsText())
        case "ports": say(portsText())
        case "pingall":
            if let t = rest.first, Int(t) == nil { return fail("pingall: timeout must be whole seconds, e.g. pingall 2") }
            pingAll(timeout: rest.first.flatMap { Int($0) } ?? 3)
        case "pingallfull": pingAll(timeout: 3, full: true)
        case "pingpair": pingAll(timeout: 3, hosts: Array(net.topology.endHosts.prefix(2).map(\.name)))
        case "link": link(rest)
        case "iperf": iperf(rest, udp: false)
        case "iperfudp": iperf(rest, udp: true)
        case "route": route(rest)
        case "path": path(rest)
        case "dpctl": dpctl(rest)
        case "switch": switchCommand(rest)
        case "sh": runLocal(restText)
        case "source": source(rest)
        case "time":
            let t0 = ContinuousClock.now
            if !restText.isEmpty { _ = execute(restText) }
            let d = ContinuousClock.now - t0
            say(String(format: "*** Elapsed time: %.6f secs", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
        case "noecho":
            guard rest.count >= 2 else { return fail("usage: noecho NODE CMD") }
            runInNode(rest[0], restText.drop { !$0.isWhitespace }.trimmingCharacters(in: .whitespaces))
        case "wait": waitJobs()
        case "jobs": listJobs()
        default:
            if net.topology.kind(of: first) != nil {
                guard !restText.isEmpty else { return fail("*** Enter a command for node: \(first) <cmd>") }
                runInNode(first, restText)
            } else {
                return fail("*** Unknown command: \(line) (type help for the list)")
            }
        }
        return true
    }

    /// Prints an error line and sets a failing status; the shell goes on.
    func fail(_ message: String) -> Bool {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        lastStatus = 1
        return true
    }

    func say(_ text: String) {
        print(text)
        fflush(nil)
    }

    func help(_ cmd: String?) {
        if let cmd {
            guard let h = Self.commands.first(where: { $0.0 == cmd }) else {
                _ = fail("*** No help for '\(cmd)': not a command")
                return
            }
            say(h.1)
            return
        }
        say("Documented commands:\n" + Self.commands.map { "  " + $0.1 }.joined(separator: "\n")
            + "\n\nAny other line starting with a node name runs in that node: h1 ping -c1 h2"
            + "\n(node names become their IP addresses; a trailing & runs it in the background).")
    }
}
