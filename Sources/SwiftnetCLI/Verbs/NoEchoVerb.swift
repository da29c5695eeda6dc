import Swiftnet

/// `noecho NODE CMD`: the same as `NODE CMD`.
struct NoEchoVerb: ShellVerb {
    let name = "noecho"
    let help = "noecho NODE CMD: run CMD in NODE (as NODE CMD)"
    let usage = "noecho NODE CMD"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        guard arguments.words.count >= 2, let rest = VerbArguments(arguments.text) else { return context.usageError(self) }
        return context.verbs.nodeCommand.run(node: rest.verb, command: rest.text, in: context)
    }
}
