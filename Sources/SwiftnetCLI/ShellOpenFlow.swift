import Foundation
import Swiftnet

/// The shell's OpenFlow commands: `dpctl` and `switch`, as Mininet's.
extension Shell {
    /// `dpctl dump-flows [s1]`, `dpctl dump-ports [s1]`: every user switch without a name.
    func dpctl(_ args: [String]) {
        guard let verb = args.first, ["dump-flows", "dump-ports"].contains(verb), args.count <= 2 else {
            _ = fail("usage: dpctl dump-flows|dump-ports [SWITCH]")
            return
        }
        let names: [String]
        if args.count == 2 {
            names = [args[1]]
        } else {
            names = net.topology.switches.filter { $0.kind == .user }.map(\.name)
            if names.isEmpty { _ = fail("*** dpctl: no user switches (the switches are Linux bridges; use --switch user)"); return }
        }
        for name in names {
            do {
                let text = verb == "dump-flows" ? try net.dumpFlows(name) : try net.dumpPorts(name)
                say("*** \(name) " + String(repeating: "-", count: max(4, 72 - name.count)))
                say(text)
            } catch let e as NetworkError {
                _ = fail("*** dpctl: \(e.message)")
            } catch {
                _ = fail("*** dpctl: \(error)")
            }
        }
    }

    /// `switch s1 stop`, `switch s1 start`.
    func switchCommand(_ args: [String]) {
        guard args.count == 2, ["start", "stop"].contains(args[1]) else {
            _ = fail("usage: switch SWITCH start|stop")
            return
        }
        do {
            try net.setSwitch(args[0], running: args[1] == "start")
        } catch let e as NetworkError {
            _ = fail("*** switch: \(e.message)")
        } catch {
            _ = fail("*** switch: \(error)")
        }
    }
}
