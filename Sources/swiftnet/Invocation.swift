import Foundation

/// The name swiftnet was started under. Started as `mn` (a symlink, as `make install`
/// makes when the machine has no Mininet), it speaks as Mininet's `mn`: usage lines say
/// `mn` and the shell's prompt is `mininet> `.
enum Invocation {
    /// True when argv[0]'s last path component is `mn`.
    static let isMininet: Bool = {
        guard let first = CommandLine.arguments.first else { return false }
        return URL(fileURLWithPath: first).lastPathComponent == "mn"
    }()

    /// The command name usage and help print.
    static var commandName: String { isMininet ? "mn" : "swiftnet" }

    /// The interactive shell's prompt.
    static var prompt: String { isMininet ? "mininet> " : "swiftnet> " }
}
