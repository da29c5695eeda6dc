import Swiftnet

/// `jobs`: `[1] 4242 running  h1 iperf3 -s`, a line per background job still running.
struct JobsVerb: ShellVerb {
    let name = "jobs"
    let help = "jobs: list background jobs"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let running = context.shell.reapJobs()
        if running.isEmpty { context.say("no background jobs") }
        for j in running { context.say("[\(j.number)] \(j.pid) running  \(j.command)") }
        return .success
    }
}
