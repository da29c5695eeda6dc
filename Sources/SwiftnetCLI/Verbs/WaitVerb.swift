import Swiftnet

/// `wait`: waits until the `&` jobs of every node's shell have ended (Ctrl-C stops waiting).
struct WaitVerb: ShellVerb {
    let name = "wait"
    let help = "wait: wait until every background job has finished"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let stopped = context.interruptCheck(presses: 1)
        for node in context.net.nodesWithShells {
            if stopped() { return VerbStatus(130) }
            context.shell.setForegroundNode(node)
            defer { context.shell.setForegroundNode(nil) }
            _ = try? context.net.runInShell(of: node, "wait", isCancelled: stopped)
        }
        return stopped() ? VerbStatus(130) : .success
    }
}
