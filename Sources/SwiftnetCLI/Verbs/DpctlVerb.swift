import Swiftnet

/// `dpctl dump-flows [s1]`, `dpctl dump-ports [s1]`, `dpctl dump-dp-flows [s1]`: every
/// user switch without a name.
struct DpctlVerb: ShellVerb {
    let name = "dpctl"
    let help = "dpctl dump-flows|dump-ports|dump-dp-flows [SWITCH]: print user switches' flow tables, port counters or the flows the kernel forwards for them (all switches without SWITCH)"
    let usage = "dpctl dump-flows|dump-ports|dump-dp-flows [SWITCH]"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let args = arguments.words
        let net = context.net
        guard let what = args.first, ["dump-flows", "dump-ports", "dump-dp-flows"].contains(what), args.count <= 2 else {
            return context.usageError(self)
        }
        let names: [String]
        if args.count == 2 {
            names = [args[1]]
        } else {
            names = net.topology.switches.filter { $0.kind == .user }.map(\.name)
            if names.isEmpty { return context.fail("*** dpctl: no user switches (the switches are Linux bridges; use --switch user)") }
        }
        var status = VerbStatus.success
        for name in names {
            do {
                let text = switch what {
                case "dump-flows": try net.dumpFlows(name)
                case "dump-ports": try net.dumpPorts(name)
                default: try net.dumpKernelFlows(name)
                }
                context.say("*** \(name) " + String(repeating: "-", count: max(4, 72 - name.count)))
                context.say(text)
            } catch let e as NetworkError {
                status = context.fail("*** dpctl: \(e.message)")
            } catch {
                status = context.fail("*** dpctl: \(error)")
            }
        }
        return status
    }
}
