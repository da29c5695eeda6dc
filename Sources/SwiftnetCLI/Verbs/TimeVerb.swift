import Foundation
import Swiftnet

/// `time CMD`: runs a command line and prints how long it took.
struct TimeVerb: ShellVerb {
    let name = "time"
    let help = "time CMD: run a shell command and print how long it took"
    let usage = "time CMD"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let t0 = ContinuousClock.now
        var status = VerbStatus.success
        if !arguments.text.isEmpty { status = VerbStatus(context.execute(arguments.text).code) }
        let d = ContinuousClock.now - t0
        context.say(String(format: "*** Elapsed time: %.6f secs", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
        return status
    }
}
