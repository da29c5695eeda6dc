import Swiftnet

/// `controller`: the built-in controller's modules, in load order, with their counters;
/// or where the switches' controller is.
struct ControllerVerb: ShellVerb {
    let name = "controller"
    let help = "controller: the built-in controller's modules (in load order) and their counters, or which controller the user switches use"
    let usage = "controller"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        guard arguments.words.isEmpty else { return context.usageError(self) }
        let net = context.net
        guard let r = net.builtinControllerReport() else {
            if let c = net.topology.controller {
                context.say("*** c0: remote controller at tcp:\(c.host):\(c.port) (its modules are its own)")
            } else {
                context.say("*** no controller: user switches learn on their own (--controller builtin for swiftnet's)")
            }
            return .success
        }
        context.say("*** c0: swiftnet's built-in controller, listening on 127.0.0.1:\(r.port)")
        context.say("modules, in load order: " + r.modules.joined(separator: ", "))
        for m in r.modules {
            let counters = (r.counters[m] ?? [:]).sorted { $0.key < $1.key }
            context.say("  \(m): " + (counters.isEmpty ? "no counts yet" : counters.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")))
        }
        for status in net.controllerStatus() { context.say("  \(status.switch): \(status.detail)") }
        return .success
    }
}
