import Swiftnet

/// `jobs`: the `&` jobs of every node's shell, `h1: [1]+  Running  sleep 300 &`.
struct JobsVerb: ShellVerb {
    let name = "jobs"
    let help = "jobs: list the background jobs of every node's shell"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        var any = false
        for node in context.net.nodesWithShells {
            guard let r = try? context.net.runInShell(of: node, "jobs") else { continue }
            for line in r.output.split(separator: "\n") {
                context.say("\(node): \(line)")
                any = true
            }
        }
        if !any { context.say("no background jobs") }
        return .success
    }
}
