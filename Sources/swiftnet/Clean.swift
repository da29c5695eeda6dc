import ArgumentParser
import Swiftnet

/// `swiftnet clean`: remove what crashed runs left behind, and only that.
struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove leftovers of crashed runs (like `mn -c`, but only what swiftnet recorded).",
        discussion: """
            A run's namespaces, links and processes vanish with it, even on SIGKILL. What can
            outlive it is what --netns-names publishes in /run/netns and the cgroups of
            --host cfs|rt; a janitor process removes those when the run dies, and this command
            does it if the janitor died too (also as -c/--clean). It reads the records in
            /run/swiftnet and never touches interfaces, cgroups or processes by name.
            """)

    func run() throws {
        print("*** Removing leftovers of crashed swiftnet runs")
        let actions = RunRecord.cleanLeftovers()
        if actions.isEmpty {
            print("*** Nothing to clean")
        }
        for a in actions { print(a.description) }
        print("*** Cleanup complete")
    }
}
