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
        self.net = Network(topology, options: group.networkOptions(progress: true))
    }

    func say(_ text: String) {
        print(text)
        fflush(nil)
    }

    /// Names on one line, shortened for very large networks.
    func names(_ list: [String]) -> String {
        if list.count <= 60 { return list.joined(separator: " ") + " " }
        return list.prefix(20).joined(separator: " ") + " ... " + list.suffix(5).joined(separator: " ") + " (\(list.count))"
    }

    func build() throws {
        Interrupts.shared.install()
        say("*** Creating network")
        say("*** Adding hosts:\n" + names(topology.hosts.map(\.name)))
        if let c = topology.controller {
            say("*** Adding controller\nc0 (remote, tcp:\(c.host):\(c.port))")
        }
        say("*** Adding switches:\n" + names(topology.switches.map(\.name)))
        say("*** Adding links:\n" + names(topology.links.map(\.label)))
        if topology.hasLoop {
            say("*** The switches form a loop: kernel STP is on; waiting for it to converge")
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
        say("*** Configuring hosts\n" + names(topology.hosts.map(\.name)))
        say("*** Starting \(topology.switches.count) switches\n" + names(topology.switches.map(\.name)) + "...")
        let status = net.controllerStatus()
        if !status.isEmpty {
            let late = status.filter { !$0.connected }
            if late.isEmpty {
                say("*** Switches connected to the controller: " + status.map { "\($0.switch) \($0.detail)" }.joined(separator: ", "))
            } else if let c = topology.controller {
                say("*** Not connected to the controller at \(c.host):\(c.port) (yet): \(late.map(\.switch).joined(separator: " ")); they keep trying")
            }
        }
        if group.verbose {
            say("*** Built in \(format(net.buildTime)) (STP wait \(format(net.stpWaitTime))); run '\(net.name)', process namespace init pid \(net.processNamespaceInit ?? 0)")
            if group.netnsNames {
                say("*** Namespaces: " + (["fabric"] + topology.hosts.map(\.name)).map { "/run/netns/\(net.name)-\($0)" }.joined(separator: " "))
            }
        }
    }

    private func clearProgress() {
        if isatty(1) == 1 { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// Pings every pair and prints Mininet's table, a line per source as it completes (on a
    /// terminal, with the pings done so far under it). Returns true when nothing was lost.
    func pingAll(hosts: [String]? = nil) -> Bool {
        printPingAll(net, hosts: hosts, isCancelled: { Interrupts.shared.interrupted }) { self.say($0) }.allReceived
    }

    /// Runs the `swiftnet>` shell until exit; reads a script when stdin is not a terminal.
    /// - Returns: the script's last status (0 for an interactive session).
    func shell() -> Int32 {
        let sh = Shell(network: net)
        let net = self.net
        Interrupts.shared.enterShell(interrupt: { sh.interrupt() }, terminate: {
            net.stop()
            _exit(130)
        })
        let terminal = isatty(0) == 1
        if terminal { say("*** Starting CLI:") }
        guard let source: LineSource = terminal ? TerminalLineSource() : ScriptLineSource() else { return 2 }
        let status = sh.run(source, prompt: terminal ? "swiftnet> " : nil)
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
        say("*** Stopping \(topology.links.count) links")
        say("*** Stopping \(topology.switches.count) switches")
        say("*** Stopping \(topology.hosts.count) hosts")
        net.stop()
        stopTime = ContinuousClock.now - t0
        say("*** Done")
        if group.timings {
            say(String(format: "timings: build=%.6f stop=%.6f stp=%.6f", seconds(net.buildTime), seconds(stopTime), seconds(net.stpWaitTime)))
        }
        say("completed in \(format(ContinuousClock.now - began))")
    }
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func format(_ d: Duration) -> String { String(format: "%.3f seconds", seconds(d)) }
