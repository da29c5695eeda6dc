/// The shell's verbs, in the order help lists them, and the node command for lines that
/// start with a node name. A new verb is a file under `Verbs/` and a line here.
public struct ShellVerbs: Sendable {
    public let all: [any ShellVerb]
    public let nodeCommand: NodeCommand

    public init(_ all: [any ShellVerb], nodeCommand: NodeCommand = NodeCommand()) {
        self.all = all
        self.nodeCommand = nodeCommand
    }

    public static let standard = ShellVerbs([
        HelpVerb(),
        NodesVerb(),
        NetVerb(),
        DumpVerb(),
        LinksVerb(),
        IntfsVerb(),
        PortsVerb(),
        PingAllVerb(),
        PingAllFullVerb(),
        PingPairVerb(),
        PingPairFullVerb(),
        IperfVerb(),
        IperfUDPVerb(),
        LinkVerb(),
        RouteVerb(),
        PathVerb(),
        DpctlVerb(),
        ControllerVerb(),
        SwitchVerb(),
        ShVerb(),
        SourceVerb(),
        TimeVerb(),
        PyVerb(statement: false),
        PyVerb(statement: true),
        NoEchoVerb(),
        XtermVerb(),
        WaitVerb(),
        JobsVerb(),
        ExitVerb(),
        QuitVerb(),
    ])

    /// The verb called `word` (by its name or an alias).
    public func verb(_ word: String) -> (any ShellVerb)? {
        all.first { $0.name == word || $0.aliases.contains(word) }
    }

    /// The verb whose listed name is `word` (what `help WORD` explains).
    public func listed(_ word: String) -> (any ShellVerb)? {
        all.first { $0.name == word }
    }

    /// What tab completion offers: the verbs' names, their arguments' words, then the
    /// node command's (the node names).
    public func completions(in context: ShellContext) -> [String] {
        var seen = Set<String>()
        let words = all.map(\.name) + all.flatMap { $0.completions(in: context) } + nodeCommand.completions(in: context)
        return words.filter { seen.insert($0).inserted }
    }
}
