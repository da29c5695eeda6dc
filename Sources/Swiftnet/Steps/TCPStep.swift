/// `tcp: {from: h1, to: web, port: 80}`: a TCP connection is accepted (or refused or
/// unanswered, with `expect: fail`).
struct TCPStep: StepKind {
    var from: String
    var to: String
    var port: Int
    var expectSuccess: Bool

    static let keyword = "tcp"
    static let keys: [String]? = ["from", "to", "port", "expect", "within"]
    static let example = "tcp: {from: h1, to: h2, port: 80}"
    static let isCheck = true

    static func parse(_ p: StepParameters) throws -> TCPStep {
        guard let port = try p.number("port", example: "80") else { throw p.error("\(p.what) needs 'port', such as `port: 80`") }
        return TCPStep(from: try p.required("from", example: "h1"), to: try p.required("to", example: "web"), port: port,
                       expectSuccess: try p.success("expect"))
    }

    func validate(_ check: StepValidation) throws {
        try check.node(from, role: "from")
        try check.target(to)
        try check.port(port, label: "port")
    }

    var title: String { "tcp \(from) -> \(to):\(port)" + (expectSuccess ? "" : " fails") }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        let result = try network.tcpConnect(from: from, to: try network.address(of: to), port: port, timeout: .seconds(2), isCancelled: isCancelled)
        return Observation(passed: (result == "connected") == expectSuccess, expected: expectSuccess ? "connected" : "no connection", observed: result)
    }
}

extension ExperimentAction {
    /// `tcp`: a TCP connection from `from` to `to:port` is accepted (or not).
    public static func tcp(from: String, to: String, port: Int, expectSuccess: Bool) -> ExperimentAction {
        ExperimentAction(TCPStep(from: from, to: to, port: port, expectSuccess: expectSuccess))
    }
}

extension Network {
    /// A TCP connection from `source` to `target:port` is accepted (or not).
    public func expectTCP(from source: String, to target: String, port: Int, succeeds: Bool = true, within: Duration? = nil) async throws {
        try await expect(.tcp(from: source, to: target, port: port, expectSuccess: succeeds), within: within)
    }
}
