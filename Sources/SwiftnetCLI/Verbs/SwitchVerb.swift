import Swiftnet

/// `switch s1 stop`, `switch s1 start`.
struct SwitchVerb: ShellVerb {
    let name = "switch"
    let help = "switch SWITCH start|stop: stop a user switch (it forwards nothing and drops its controller connection and flows) or start it again"
    let usage = "switch SWITCH start|stop"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let args = arguments.words
        guard args.count == 2, ["start", "stop"].contains(args[1]) else { return context.usageError(self) }
        do {
            try context.net.setSwitch(args[0], running: args[1] == "start")
            return .success
        } catch let e as NetworkError {
            return context.fail("*** switch: \(e.message)")
        } catch {
            return context.fail("*** switch: \(error)")
        }
    }
}
