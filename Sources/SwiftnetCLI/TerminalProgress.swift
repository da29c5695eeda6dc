import Foundation
import Glibc
import Swiftnet

/// A progress line on a terminal ("*** Ping: 1200/6247500 pings (3.1 s)"), redrawn in
/// place with "\r" and cleared with "\r\e[K" before other output, as the build's progress
/// is. It writes nothing when its output is not a terminal.
public final class TerminalProgress {
    public let enabled: Bool
    private let write: (String) -> Void
    private var shown = false
    private let began = ContinuousClock.now

    /// - Parameters:
    ///   - enabled: draw it (by default: when standard output is a terminal).
    ///   - write: where its text goes (by default standard output).
    public init(enabled: Bool = isatty(1) == 1,
                write: @escaping (String) -> Void = { print($0, terminator: ""); fflush(nil) }) {
        self.enabled = enabled
        self.write = write
    }

    /// Seconds since the progress began, as "3.1".
    public var elapsed: String {
        let d = ContinuousClock.now - began
        return String(format: "%.1f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    /// Shows `text` in place of the previous progress line.
    public func show(_ text: String) {
        guard enabled else { return }
        write("\r" + text + "\u{1B}[K")
        shown = true
    }

    /// Clears the progress line, if one is shown.
    public func clear() {
        guard enabled, shown else { return }
        write("\r\u{1B}[K")
        shown = false
    }

    /// Shows "*** Ping: done/total pings (s)".
    public func showPings(_ done: Int, _ total: Int) {
        show("*** Ping: \(done)/\(total) pings (\(elapsed) s)")
    }
}

/// Runs a pingall and prints it as Mininet does, for the command line and the shell
/// alike: the heading, a line per source as it completes (a progress line under them on
/// a terminal), then the results line, or the interruption.
/// - Returns: the result; `interrupted` says Ctrl-C stopped it.
/// - Parameter progress: where the progress line goes (by default standard output).
public func printPingAll(_ net: Network, hosts: [String]? = nil, timeout: Int = 3, full: Bool = false,
                         progress: TerminalProgress = TerminalProgress(),
                         isCancelled: @escaping @Sendable () -> Bool, say: @escaping (String) -> Void) -> PingAllResult {
    say("*** Ping: testing ping reachability")
    let result = net.pingAll(hosts: hosts, timeout: timeout, isCancelled: isCancelled,
                             onRow: { row in
                                 progress.clear()
                                 for line in row.mininetLines(full: full) { say(line) }
                             },
                             onProgress: { progress.showPings($0, $1) })
    progress.clear()
    if result.interrupted {
        say("*** Interrupted: pingall stopped after \(result.completedSources) of \(result.hosts.count) sources")
    } else {
        say(result.summaryLine)
    }
    return result
}
