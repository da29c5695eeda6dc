import Swiftnet

/// `link A B up|down`, and `link A B bw=5 [delay=5ms ...]` to reshape the links.
struct LinkVerb: ShellVerb {
    let name = "link"
    let help = "link A B up|down: bring the links between A and B up or down; link A B bw=5 [delay=5ms ...]: reshape them"
    let usage = "link A B up|down, or link A B bw=5 [delay=5ms loss=1 ...]"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let args = arguments.words
        if args.count >= 3, args[2].contains("=") {
            do {
                let params = try LinkParams.parse(option: args[2...].joined(separator: " "))
                guard let shaping = try params.shaping(for: "link \(args[0])-\(args[1])") else { return .success }
                try context.net.setShaping(args[0], args[1], shaping)
                return .success
            } catch {
                return context.fail("*** \(error)")
            }
        }
        guard args.count == 3, args[2] == "up" || args[2] == "down" else { return context.usageError(self) }
        do {
            try context.net.setLink(args[0], args[1], up: args[2] == "up")
            return .success
        } catch {
            return context.fail("*** \(error)")
        }
    }
}
