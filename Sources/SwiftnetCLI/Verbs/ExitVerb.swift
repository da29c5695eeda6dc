/// `exit` (and `EOF`): ends the shell, which stops the network.
struct ExitVerb: ShellVerb {
    let name = "exit"
    let aliases = ["EOF"]
    let help = "exit: stop the network and leave (also quit, Ctrl-D)"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus { .exit }
}
