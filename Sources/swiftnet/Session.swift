import ArgumentParser
import Foundation
import Namespaces
import Swiftnet
import SwiftnetCLI

/// One network's life on the command line, printed as Mininet prints it.
final class Session {
    let topology: ValidatedTopology
    let group: NetworkOptionGroup
    let net: Network
    let began = ContinuousClock.now
    var stopTime: Duration = .zero

    init(topology: ValidatedTopology, group: NetworkOptionGroup) {
        self.topology = topology
        self.group = group
        self.net = Network(topology, options: group.networkOptions(progress: group.level <= .info))
    }

    func say(_ text: String) {
        print(text)
        fflush(nil)
    }

    /// A line about the run's progress (Mininet's `info`): not printed at `-v output` and
    /// quieter levels.
    func info(_ text: String) {
        if group.level <= .info { say(text) }
    }

    /// Names on one line, shortened for very large networks.
    func names(_ list: [String]) -> String {
        if list.count <= 60 { return list.joined(separator: " ") + " " }
        return list.prefix(20).joined(separator: " ") + " ... " + list.suffix(5).joined(separator: " ") + " (\(list.count))"
    }

    func build() throws {
        Interrupts.shared.install()
        info("*** Creating network")
        info("*** Adding hosts:\n" + names(topology.hosts.map(\.name)))
        if let c = topology.controller {
            info(c.isBuiltin ? "*** Adding controller\nc0 (builtin: swiftnet's own)" : "*** Adding controller\nc0 (remote, tcp:\(c.host):\(c.port))")
        }
        info("*** Adding switches:\n" + names(topology.switches.map(\.name)))
        info("*** Adding links:\n" + names(topology.links.map(\.label)))
        if topology.hasLoop && topology.switches.contains(where: \.stp) {
            info("*** The switches form a loop: kernel STP is on; waiting for it to converge")
        } else if topology.hasLoop, topology.controller?.isBuiltin == true {
            info("*** The switches form a loop: the built-in controller floods along a broadcast tree")
        }
        do {
            try net.start()
        } catch let e as NetworkError where e.isInterrupted {
            clearProgress()
            say("\n*** Interrupted while building: nothing was left behind")
            throw ExitCode(130)
        } catch {
            clearProgress()
            FileHandle.standardError.write(Data("swiftnet: \(error)\n*** Nothing was left behind\n".utf8))
            throw ExitCode(error is NetworkError ? 2 : 1)
        }
        clearProgress()
        info("*** Configuring hosts\n" + names(topology.hosts.map(\.name)))
        info("*** Starting \(topology.switches.count) switches\n" + names(topology.switches.map(\.name)) + "...")
        let status = net.controllerStatus()
        if !status.isEmpty {
            let late = status.filter { !$0.connected }
            if late.isEmpty {
                say("*** Switches connected to the controller: " + status.map { "\($0.switch) \($0.detail)" }.joined(separator: ", "))
            } else if let c = topology.controller {
                let which = c.isBuiltin ? "the built-in controller" : "the controller at \(c.host):\(c.port)"
                say("*** Not connected to \(which) (yet): \(late.map(\.switch).joined(separator: " ")); they keep trying")
            }
        }
        if group.level == .debug {
            say("*** Built in \(format(net.buildTime)) (STP wait \(format(net.stpWaitTime))); run '\(net.name)', process namespace init pid \(net.processNamespaceInit ?? 0)")
            if group.netnsNames {
                say("*** Namespaces: " + (["fabric"] + topology.hosts.map(\.name)).map { "/run/netns/\(net.name)-\($0)" }.joined(separator: " "))
            }
        }
    }

    private func clearProgress() {
        // Only where a progress line was drawn (-v info and more).
        if isatty(1) == 1 && group.level <= .info { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// Pings every pair and prints Mininet's table, a line per source as it completes (on a
    /// terminal, with the pings done so far under it). Returns true when nothing was lost.
    func pingAll(hosts: [String]? = nil) -> Bool {
        printPingAll(net, hosts: hosts, isCancelled: { Interrupts.shared.interrupted }) { self.say($0) }.allReceived
    }

    /// Runs shell commands (`iperf`, `iperfudp 10M`) as `--test` does; false when one failed.
    func run(_ lines: [String]) -> Bool {
        let sh = Shell(network: net)
        Interrupts.shared.enterShell(interrupt: { sh.interrupt() }, terminate: { [net] in
            net.stop()
            _exit(130)
        })
        for line in lines where !Interrupts.shared.interrupted {
            sh.execute(line)
            if sh.lastStatus != 0 { return false }
        }
        return true
    }

    /// Runs a file of shell commands (`--pre`, `--post`) as the shell's `source` does,
    /// as Mininet's `CLI(net, script=FILE)`: a failing command prints its error and the
    /// rest of the file runs; Ctrl-C stops the file.
    func script(_ path: String) {
        _ = run(["source \(path)"])
    }

    /// Runs the `swiftnet>` shell until exit; reads a script when stdin is not a terminal.
    /// - Returns: the script's last status (0 for an interactive session).
    func shell() -> Int32 {
        let sh = Shell(network: net)
        let net = self.net
        let python = net.controlSocket.map { AttachedPython(socket: $0) }
        sh.python = python
        defer { python?.close() }
        Interrupts.shared.enterShell(interrupt: { sh.interrupt() }, terminate: {
            net.stop()
            _exit(130)
        })
        if isatty(0) == 1 { info("*** Starting CLI:") }
        return Self.readCommands(sh, prompt: Invocation.prompt)
    }

    /// Runs the shell on standard input: with `prompt` and line editing on a terminal
    /// (status 0), else as a script without prompts (its last command's status).
    static func readCommands(_ sh: Shell, prompt: String) -> Int32 {
        let terminal = isatty(0) == 1
        guard let source: LineSource = terminal ? TerminalLineSource() : ScriptLineSource() else { return 2 }
        let status = sh.run(source, prompt: terminal ? prompt : nil)
        return terminal ? 0 : status
    }

    /// Holds the network until Ctrl-C or SIGTERM.
    func hold() {
        if group.netnsNames {
            say("*** Hosts are in /run/netns as \(net.name)-<host>: try  ip netns exec \(net.name)-\(topology.hosts.first?.name ?? "h1") ping \(topology.hosts.last?.ip.address.description ?? "")")
        }
        say("*** Network is up; press Ctrl-C to stop it")
        Interrupts.shared.semaphore.wait()
        print("")
    }

    func stop() {
        let t0 = ContinuousClock.now
        info("*** Stopping \(topology.links.count) links")
        info("*** Stopping \(topology.switches.count) switches")
        info("*** Stopping \(topology.hosts.count) hosts")
        net.stop()
        stopTime = ContinuousClock.now - t0
        info("*** Done")
        if group.timings {
            say(String(format: "timings: build=%.6f stop=%.6f stp=%.6f", seconds(net.buildTime), seconds(stopTime), seconds(net.stpWaitTime)))
        }
        info("completed in \(format(ContinuousClock.now - began))")
    }
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func format(_ d: Duration) -> String { String(format: "%.3f seconds", seconds(d)) }
