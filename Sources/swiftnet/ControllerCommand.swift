import ArgumentParser
import Controller
import Foundation
import Swiftnet

/// `swiftnet controller`: the built-in controller on its own, for switches that are not
/// in a run (Open vSwitch, another emulator, a hardware switch), like `ovs-testcontroller`
/// or `osken-manager`, with Floodlight's REST paths and the web page on TCP.
struct ControllerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run the built-in OpenFlow controller alone (until Ctrl-C), with Floodlight's REST API and the web page.",
        discussion: """
            Switches connect to tcp:ADDRESS:PORT (OpenFlow 1.0 or 1.3). The REST paths (/wm/...) and the
            web page (/ui/) are on http://127.0.0.1:REST-PORT/.
              swiftnet controller --port 6653 --rest-port 8080
              ovs-vsctl set-controller br0 tcp:127.0.0.1:6653
            """)

    @Option(help: "The TCP port switches connect to.")
    var port: Int = 6653

    @Option(help: "The address switches connect to (127.0.0.1 unless told otherwise).")
    var listen: String = "127.0.0.1"

    @Option(name: .customLong("rest-port"), help: "The TCP port on 127.0.0.1 for the REST paths and the web page (0 for none).")
    var restPort: Int = 8080

    @Option(help: "forwarding (link discovery, topology, shortest paths; loops allowed) or learning (a MAC-learning switch per switch).")
    var app: String = "forwarding"

    @Option(help: "ACTIVE (claims OpenFlow 1.3 switches as their MASTER) or STANDBY (their SLAVE: sends them nothing until made ACTIVE, e.g. POST /wm/core/role/json).")
    var role: String = "ACTIVE"

    @Option(name: .customLong("path-metric"), help: "What forwarding's shortest paths are shortest in: hopcount or latency (the links' latency measured by LLDP).")
    var pathMetric: String = "hopcount"

    func validate() throws {
        guard ControllerRole(text: role) != nil else { throw badInput("--role \(role): use ACTIVE or STANDBY") }
        guard PathMetric(rawValue: pathMetric.lowercased()) != nil else { throw badInput("--path-metric \(pathMetric): use hopcount or latency") }
        guard (1...65535).contains(port) else { throw badInput("--port \(port) is not a TCP port: use 1-65535") }
        guard (0...65535).contains(restPort) else { throw badInput("--rest-port \(restPort) is not a TCP port: use 1-65535, or 0 for none") }
        guard ["forwarding", "learning"].contains(app) else { throw badInput("--app \(app): use forwarding or learning") }
        guard IPv4Address(listen) != nil else { throw badInput("--listen \(listen) is not an IPv4 address") }
    }

    func run() throws {
        Interrupts.shared.install()
        let controller: BuiltinController
        do {
            let metric = PathMetric(rawValue: pathMetric.lowercased()) ?? .hopcount
            controller = try BuiltinController(host: listen, port: port,
                                               modules: app == "learning" ? BuiltinController.learningModules()
                                                   : BuiltinController.standardModules(metric: metric),
                                               role: ControllerRole(text: role) ?? .active)
        } catch {
            throw badInput("the controller cannot listen on \(listen):\(port): \(error)")
        }
        defer { controller.stop() }
        var rest: FloodlightServer?
        if restPort > 0 {
            do {
                rest = try FloodlightServer(handler: FloodlightHTTP(controller: { controller }), port: restPort)
            } catch {
                throw badInput("the REST API cannot listen on 127.0.0.1:\(restPort): \(error) (choose another --rest-port, or 0 for none)")
            }
        }
        defer { rest?.stop() }
        print("*** swiftnet's controller (\(controller.moduleNames.joined(separator: ", "))) listening on \(listen):\(controller.port), \((ControllerRole(text: role) ?? .active).rawValue)")
        if let rest { print("*** REST API and web page on http://127.0.0.1:\(rest.port)/ui/") }
        fflush(nil)
        Interrupts.shared.semaphore.wait()
        print("*** Stopping the controller")
    }
}
