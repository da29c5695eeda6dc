import Swiftnet

/// `nodes`: Mininet's list of node names.
struct NodesVerb: ShellVerb {
    let name = "nodes"
    let help = "nodes: list the nodes"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        context.say("available nodes are: \n" + context.net.topology.nodeNames.joined(separator: " "))
        return .success
    }
}
