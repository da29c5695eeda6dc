import Foundation
import Swiftnet
import SwiftnetScript

extension Shell {
    /// Mininet's `CLI(net)` for scripts: the `swiftnet>` shell on the terminal until
    /// `exit` or Ctrl-D (or, when standard input is not a terminal, its lines as commands).
    /// Inside `Script.run`, Ctrl-C stops the shell's foreground command, not the script.
    /// Returns the last command's status when reading a script, else 0.
    @discardableResult
    public static func interact(with net: Network) -> Int32 {
        let sh = Shell(network: net)
        Script.routeInterrupts(to: { sh.interrupt() })
        defer { Script.routeInterrupts(to: nil) }
        let terminal = isatty(0) == 1
        if terminal {
            print("*** Starting CLI:")
            fflush(nil)
        }
        let source: LineSource? = terminal ? TerminalLineSource() : ScriptLineSource()
        guard let source else { return 2 }
        let status = sh.run(source, prompt: terminal ? "swiftnet> " : nil)
        return terminal ? 0 : status
    }
}
