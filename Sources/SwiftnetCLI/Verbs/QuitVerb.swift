/// `quit`: the same as exit.
struct QuitVerb: ShellVerb {
    let name = "quit"
    let help = "quit: same as exit"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus { .exit }
}
