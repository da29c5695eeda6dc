import Swiftnet

/// `wait`: waits until every background job has ended.
struct WaitVerb: ShellVerb {
    let name = "wait"
    let help = "wait: wait until every background job has finished"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        context.shell.waitJobs()
        return .success
    }
}
