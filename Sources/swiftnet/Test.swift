import ArgumentParser
import Foundation
import Swiftnet

/// `swiftnet test FILE.yaml…`: build each file's network, run its experiment, tear it
/// down, and report like a test runner (exit 0 all passed, 1 a check failed, 2 bad input).
struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the experiments of YAML files and report each check (JUnit and JSON too).",
        discussion: """
            Every file is read and checked before anything is built: a bad file exits 2 and \
            creates nothing. Each network is torn down before the next is built.
            """)

    @Argument(help: "Experiment files (topologies with an experiment: list).")
    var files: [String]

    @Option(help: ArgumentHelp("Write a JUnit XML report here (one testsuite per file, one testcase per step).", valueName: "path"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a JSON report here.", valueName: "path"))
    var json: String?

    @OptionGroup var network: NetworkOptionGroup

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one experiment file, such as Examples/dns-lab.yaml") }
    }

    func run() throws {
        // Everything is read and validated first, so bad input creates nothing.
        var topologies: [(String, ValidatedTopology)] = []
        for f in files {
            let t = try network.validate(try loadTopologyFile(f))
            if t.experiment.isEmpty {
                throw badInput("\(f):1: the file has no experiment: add an `experiment:` list of steps, such as `- ping: {from: h1, to: h2}`")
            }
            topologies.append((f, t))
        }
        for (_, t) in topologies { try network.preflight(t) }
        Interrupts.shared.install()

        var reports: [ExperimentReport] = []
        for (file, topology) in topologies {
            if Interrupts.shared.interrupted { break }
            reports.append(runFile(file, topology))
        }
        let passed = reports.reduce(0) { $0 + $1.passed }
        let failed = reports.reduce(0) { $0 + $1.failed }
        print(summaryLine(passed: passed, failed: failed))
        try write(junit, JUnitReport.xml(reports), what: "--junit")
        try write(json, JSONReport.json(reports), what: "--json")
        if Interrupts.shared.interrupted { throw ExitCode(130) }
        if failed > 0 { throw ExitCode(1) }
    }

    func runFile(_ file: String, _ topology: ValidatedTopology) -> ExperimentReport {
        let began = ContinuousClock.now
        var report = ExperimentReport(file: file, name: topology.name)
        print("*** \(file): \(topology.hosts.count) hosts, \(topology.switches.count) switches, \(topology.links.count) links, \(topology.experiment.count) steps")
        fflush(nil)
        let net = Network(topology, options: network.networkOptions(progress: false))
        do {
            try net.start()
        } catch {
            report.buildError = "\(error)"
            report.duration = ContinuousClock.now - began
            print("  FAIL  build: \(error)")
            return report
        }
        report.buildTime = net.buildTime
        var index = 0
        report.steps = net.runExperiment(isCancelled: { Interrupts.shared.interrupted }) { r in
            index += 1
            print(stepLine(r, index: index))
            fflush(nil)
        }
        net.stop()
        report.duration = ContinuousClock.now - began
        print("*** \(file): \(summaryLine(passed: report.passed, failed: report.failed)) in \(format(report.duration))")
        return report
    }

    func write(_ path: String?, _ text: String, what: String) throws {
        guard let path else { return }
        // Atomic by hand, next to the report: Foundation's `atomically: true` on Linux
        // leaves an empty /tmp/TemporaryDirectory.* behind every time.
        let temporary = "\(path).\(getpid()).tmp"
        do {
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            guard rename(temporary, path) == 0 else {
                let e = errno
                unlink(temporary)
                throw NSError(domain: NSPOSIXErrorDomain, code: Int(e), userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(e))])
            }
        } catch {
            throw badInput("\(what) \(path): cannot write the report: \(error.localizedDescription)")
        }
    }
}
