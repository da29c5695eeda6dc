import Foundation
import Glibc
import Swiftnet

/// The shell's foreground command, which Ctrl-C goes to.
extension Shell {
    // MARK: - The foreground command

    /// Marks `pid` as the foreground process (or none) for Ctrl-C, for a caller that
    /// waits for it itself.
    func setForeground(_ pid: pid_t?) {
        lock.lock()
        foreground = pid
        interruptsSinceForeground = 0
        lock.unlock()
    }

    /// Ctrl-C: interrupts the foreground command (SIGINT, then SIGKILL if pressed again),
    /// or stops the built-in command running (pingall, iperf, source).
    /// At the prompt it does nothing: the network stays up.
    public func interrupt() {
        lock.lock()
        defer { lock.unlock() }
        interrupts += 1
        // A command in a node's shell: Ctrl-C on its terminal; a second press makes the
        // command's own cancellation check kill it.
        if let node = foregroundNode {
            net[node]?.interrupt()
            return
        }
        guard let pid = foreground else { return }
        interruptsSinceForeground += 1
        let sig = interruptsSinceForeground == 1 ? SIGINT : SIGKILL
        kill(-pid, sig)
        kill(pid, sig)
    }

    /// A check for built-in commands: true once Ctrl-C has been pressed since this call.
    func interruptCheck() -> @Sendable () -> Bool { interruptCheck(presses: 1) }

    /// True once Ctrl-C has been pressed `presses` times since this call.
    func interruptCheck(presses: Int) -> @Sendable () -> Bool {
        let start = lock.withLock { interrupts }
        return { [unowned self] in self.lock.withLock { self.interrupts } - start >= presses }
    }

    /// Marks the node whose shell runs the foreground command (or none), for Ctrl-C.
    func setForegroundNode(_ node: String?) {
        lock.withLock { foregroundNode = node }
    }
}
