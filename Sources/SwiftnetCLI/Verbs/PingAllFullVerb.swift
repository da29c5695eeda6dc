import Swiftnet

/// `pingallfull`: pingall with the round-trip times.
struct PingAllFullVerb: ShellVerb {
    let name = "pingallfull"
    let help = "pingallfull: pingall with round-trip times"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        context.pingAll(timeout: 3, full: true)
    }
}
