import Swiftnet

/// `help`: every verb's help line, then how node commands work; `help CMD`: one line.
struct HelpVerb: ShellVerb {
    let name = "help"
    let help = "help [CMD]: list commands, or explain one"
    let usage = "help [CMD]"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        if let word = arguments.words.first {
            guard let verb = context.verbs.listed(word) else { return context.fail("*** No help for '\(word)': not a command") }
            context.say(verb.help)
            return .success
        }
        context.say("Documented commands:\n" + context.verbs.all.map { "  " + $0.help }.joined(separator: "\n")
            + "\n\n" + context.verbs.nodeCommand.help)
        return .success
    }
}
