import Swiftnet

/// `xterm NODE...`, `x`, `gterm`: Mininet opens terminal windows; swiftnet has no display
/// to open them on, and says what to use instead.
struct XtermVerb: ShellVerb {
    let name = "xterm"
    let aliases = ["x", "gterm"]
    let help = "xterm NODE...: not available (no display); run NODE CMD here, or `swiftnet exec RUN NODE -- bash` in another terminal"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let node = arguments.words.first ?? "h1"
        return context.fail("*** \(arguments.verb): swiftnet opens no terminal windows (there is no display); run `\(node) CMD` here, or `sudo swiftnet exec \(context.net.name) \(node) -- bash` in another terminal")
    }
}
