/// `start: {on: web, run: "python3 -m http.server 80", wait_for_port: 80}`: a background
/// program, killed at stop; with `wait_for_port`, waits until something accepts TCP
/// connections on that port of the node (up to `within`, 10 s by default).
struct StartStep: StepKind {
    var on: String
    var command: String
    var waitForPort: Int?

    static let keyword = "start"
    static let keys: [String]? = ["on", "run", "wait_for_port", "within"]
    static let example = "start: {on: h1, run: \"sleep 60\"}"
    static let isCheck = false

    static func parse(_ p: StepParameters) throws -> StartStep {
        StartStep(on: try p.required("on", example: "web"), command: try p.required("run", example: "\"python3 -m http.server 80\""),
                  waitForPort: try p.number("wait_for_port", example: "80"))
    }

    func validate(_ check: StepValidation) throws {
        try check.node(on, role: "on")
        try check.command(command, key: "run", what: "give the command to start")
        if let p = waitForPort { try check.port(p, label: "wait_for_port") }
    }

    var title: String { "start on \(on): \(command)" + (waitForPort.map { " (port \($0))" } ?? "") }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        try network.startServer(on: on, command: command, port: waitForPort, timeout: within ?? .seconds(10), isCancelled: isCancelled)
    }
}

extension ExperimentAction {
    /// `start`: a background program in `on`; with `waitForPort`, waits until it listens.
    public static func start(on: String, command: String, waitForPort: Int?) -> ExperimentAction {
        ExperimentAction(StartStep(on: on, command: command, waitForPort: waitForPort))
    }
}
