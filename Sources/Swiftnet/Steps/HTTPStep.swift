/// `http: {from: h1, url: "http://web.lab.test/", expect_status: 200}`: curl inside the
/// host, so the name goes through the host's resolver.
struct HTTPStep: StepKind {
    var from: String
    var url: String
    var expectStatus: Int
    var expectBody: String?

    static let keyword = "http"
    static let keys: [String]? = ["from", "url", "expect_status", "expect_body", "within"]
    static let example = "http: {from: h1, url: \"http://h2/\"}"
    static let isCheck = true

    static func parse(_ p: StepParameters) throws -> HTTPStep {
        HTTPStep(from: try p.required("from", example: "h1"), url: try p.required("url", example: "\"http://web/\""),
                 expectStatus: try p.number("expect_status", example: "200") ?? 200,
                 expectBody: try p.optional("expect_body", example: "Hello"))
    }

    func validate(_ check: StepValidation) throws {
        try check.node(from, role: "from")
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > 8, !url.contains(" ") else {
            throw check.error("url '\(url)' is not an http:// or https:// URL")
        }
        if !(100...599).contains(expectStatus) {
            throw check.error("expect_status \(expectStatus) is not an HTTP status (100-599)")
        }
    }

    var title: String { "http \(from) GET \(url) = \(expectStatus)" }

    func observe(in network: Network, within: Duration?, isCancelled: () -> Bool) throws -> Observation {
        try network.httpGet(from: from, url: url, status: expectStatus, body: expectBody, isCancelled: isCancelled)
    }
}

extension ExperimentAction {
    /// `http`: `curl URL` inside `from` answers with `expectStatus` (and a body containing `expectBody`).
    public static func http(from: String, url: String, expectStatus: Int, expectBody: String?) -> ExperimentAction {
        ExperimentAction(HTTPStep(from: from, url: url, expectStatus: expectStatus, expectBody: expectBody))
    }
}

extension Network {
    /// `curl URL` inside `source` answers with `status` (and a body containing `bodyContains`).
    public func expectHTTP(from source: String, url: String, status: Int = 200, bodyContains: String? = nil,
                           within: Duration? = nil) async throws {
        try await expect(.http(from: source, url: url, expectStatus: status, expectBody: bodyContains), within: within)
    }
}
