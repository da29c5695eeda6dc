import ArgumentParser
import Foundation
import Glibc
import Namespaces
import Swiftnet
import SwiftnetCLI

/// `swiftnet engine`: the network under the `mininet` Python package. The package
/// starts it with two pipes, sends the topology its script made, and gets the control
/// socket back; nodes, commands and measurements then go through the control API, and
/// the channel carries only the run's life: `CLI(net)` (the shell, on the script's
/// terminal, with `py` evaluated by the script) and the stop. End of file on the channel
/// (the script ended, even by SIGKILL) stops the network; so do Ctrl-C and SIGTERM.
///
/// Messages, one JSON object per line. From the package: `{"topology": TEXT}` (YAML or
/// JSON, as a topology file), then `{"op": "cli", "prompt": P, "script": FILE}` or
/// `{"op": "stop"}`. From the engine: `{"ready": true, "socket": S, "name": N}` or
/// `{"error": MESSAGE, "status": 2}`; during the CLI `{"py": CODE, "statement": B}`
/// (answered `{"output": TEXT, "failed": B}`) and at its end `{"cli": STATUS}`; last
/// `{"stopped": true}`.
struct Engine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a network for the mininet Python package (started by the package, not by hand).",
        shouldDisplay: false)

    @Option(help: "The descriptor the package's messages arrive on.")
    var controlIn: Int32

    @Option(help: "The descriptor the engine's messages go to.")
    var controlOut: Int32

    @Option(help: "The file the topology came from, for messages.")
    var source = "<topology>"

    @OptionGroup var network: NetworkOptionGroup

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let channel = EngineChannel(input: controlIn, output: controlOut)
        func refuse(_ message: String) -> ExitCode {
            channel.send(["error": message, "status": 2])
            return ExitCode(2)
        }
        guard let first = channel.receive(), let text = first["topology"] as? String else {
            throw refuse("the engine expected the topology first")
        }
        let topology: ValidatedTopology
        do {
            var spec = try Topology.parse(yaml: text, file: source)
            if let ipbase = network.ipbase { spec.ipBase = ipbase }
            topology = try spec.validated(autoMAC: network.mac, allowUnlinkedHosts: true)
        } catch let e as TopologyError {
            throw refuse(e.description)
        }
        if let host = network.host {
            do { _ = try CPULimit.parse(option: host) } catch let e as TopologyError { throw refuse("CPULimitedHost: \(e.message)") }
        }
        if let message = network.preflightProblem(topology) { throw refuse(message) }

        Interrupts.shared.install()
        var options = network.networkOptions(progress: false)
        options.onStopRequest = { Interrupts.shared.requestStop() }
        let net = Network(topology, options: options)
        do {
            try net.start()
        } catch {
            throw refuse("\(error)")
        }
        channel.send(["ready": true, "socket": net.controlSocket ?? "", "name": net.name, "pid": Int(getpid())])

        // The channel's reader: the CLI runs on it; the stop or the owner's end wakes the
        // main thread as SIGTERM would.
        let reader = Thread {
            while let message = channel.receive() {
                switch message["op"] as? String {
                case "cli":
                    let status = Self.cli(net, channel: channel, prompt: message["prompt"] as? String ?? "mininet> ",
                                          script: message["script"] as? String)
                    channel.send(["cli": Int(status)])
                case "stop":
                    Interrupts.shared.requestStop()
                    return
                default:
                    channel.send(["error": "unknown message \(message)", "status": 2])
                }
            }
            Interrupts.shared.requestStop()
        }
        reader.start()
        Interrupts.shared.semaphore.wait()
        net.stop()
        channel.send(["stopped": true])
    }

    /// The shell on the script's terminal (or its `script=` file), `py` evaluated by the script.
    static func cli(_ net: Network, channel: EngineChannel, prompt: String, script: String?) -> Int32 {
        let sh = Shell(network: net)
        sh.python = ChannelPython(channel: channel)
        Interrupts.shared.enterShell(interrupt: { sh.interrupt() }, terminate: {
            net.stop()
            channel.send(["stopped": true])
            _exit(130)
        })
        defer { Interrupts.shared.leaveShell() }
        if let script {
            sh.execute("source " + script)
            return sh.lastStatus
        }
        return Session.readCommands(sh, prompt: prompt)
    }
}
