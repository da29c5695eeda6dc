/// What the shell's `py` and `px` hand their Python to: the `mininet` package's layer
/// attached to the running network (the script's own process under `swiftnet python`,
/// or a Python started for the shell). Set as `Shell.python`.
public protocol PythonEvaluator: AnyObject, Sendable {
    /// Evaluates `code` with `net` and every node name bound, as Mininet's CLI does:
    /// an expression (`statement == false`) prints its value unless it is None; a
    /// statement (`px`) prints only what it prints.
    /// - Returns: what it printed (and the value), and whether it raised.
    func evaluate(_ code: String, statement: Bool) -> (output: String, failed: Bool)
}
