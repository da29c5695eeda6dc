import Swiftnet

/// `path h1 h3`: the forwarding path through the nodes' FIBs, and with the built-in
/// controller the path it computes between the hosts' switches.
struct PathVerb: ShellVerb {
    let name = "path"
    let help = "path SRC DST: follow the forwarding path from SRC to DST through the routers' tables (and, with --controller builtin, the controller's path across the switches)"
    let usage = "path SOURCE DESTINATION"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let args = arguments.words
        let net = context.net
        guard args.count == 2 else { return context.usageError(self) }
        guard net.topology.host(args[0]) != nil else { return context.fail("*** path: '\(args[0])' is not a host or router") }
        do {
            let p = try net.forwardingPath(from: args[0], to: args[1])
            var line = p.nodes.joined(separator: " -> ")
            switch p.outcome {
            case .reached:
                if let last = p.nodes.last, last != args[1], net.topology.host(args[1]) != nil { line += " -> \(args[1])" }
            case .blackhole(let n, let why): line += "  (black hole at \(n): \(why))"
            case .loop(let n): line += "  (loop back to \(n))"
            case .leftTheNetwork(let a): line += "  (next hop \(a) is outside the network)"
            }
            context.say(line)
            if let c = net.controllerPath(from: args[0], to: args[1]) { context.say("controller's path: " + c) }
            return .success
        } catch {
            return context.fail("*** path: \(error)")
        }
    }
}
