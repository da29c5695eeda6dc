import Swiftnet

/// `py EXPR` and `px STATEMENT`: Python with `net` and the nodes bound, through the
/// `mininet` package (`py h1.IP()`, `px net.addHost('h3')`), as in Mininet's CLI.
struct PyVerb: ShellVerb {
    /// True for `px` (a statement), false for `py` (an expression whose value is printed).
    let statement: Bool
    var name: String { statement ? "px" : "py" }
    var help: String {
        statement ? "px STATEMENT: run a Python statement (net and the nodes are bound): px net.addHost('h3')"
                  : "py EXPR: print a Python expression's value (net and the nodes are bound): py h1.IP()"
    }
    var usage: String { statement ? "px STATEMENT" : "py EXPR" }

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        guard !arguments.text.isEmpty else { return context.usageError(self) }
        guard let python = context.shell.python else {
            return context.fail("*** \(name): this shell has no Python layer (the mininet package was not found; see swiftnet python-path)")
        }
        let r = python.evaluate(arguments.text, statement: statement)
        if !r.output.isEmpty { context.output.write(r.output.hasSuffix("\n") ? r.output : r.output + "\n") }
        return r.failed ? .failure : .success
    }
}
