import Dispatch
import Foundation
import Glibc

/// Ctrl-C and SIGTERM handling: the first asks for a clean stop, the second exits at
/// once (safe too: the kernel releases a run's namespaces and processes when we die).
final class Interrupts: @unchecked Sendable {
    static let shared = Interrupts()
    private let lock = NSLock()
    private var count = 0
    private var sources: [DispatchSourceSignal] = []
    /// Signalled on the first interrupt; commands that hold a network wait on it.
    let semaphore = DispatchSemaphore(value: 0)
    /// While the shell runs: what Ctrl-C does (stop the foreground command) and what
    /// SIGTERM/SIGHUP do (stop the network and exit).
    var shellInterrupt: (@Sendable () -> Void)?
    var shellTerminate: (@Sendable () -> Void)?

    var interrupted: Bool { lock.lock(); defer { lock.unlock() }; return count > 0 }

    /// Routes Ctrl-C to the shell and termination to `terminate` until the shell ends.
    func enterShell(interrupt: @escaping @Sendable () -> Void, terminate: @escaping @Sendable () -> Void) {
        lock.lock()
        shellInterrupt = interrupt
        shellTerminate = terminate
        lock.unlock()
    }

    /// Asks for the clean stop an interrupt asks for, once: a stop asked while one is
    /// under way is not a second interrupt.
    func requestStop() {
        lock.lock()
        let first = count == 0
        if first { count = 1 }
        lock.unlock()
        if first { semaphore.signal() }
    }

    /// Ctrl-C and termination go back to stopping the run (the shell has ended).
    func leaveShell() {
        lock.lock()
        shellInterrupt = nil
        shellTerminate = nil
        lock.unlock()
    }

    /// Installs the handlers (once).
    func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [weak self] in self?.fire(sig) }
            s.resume()
            sources.append(s)
        }
    }

    private func fire(_ sig: Int32) {
        lock.lock()
        let interruptHandler = shellInterrupt, terminateHandler = shellTerminate
        lock.unlock()
        if sig == SIGINT, let interruptHandler { return interruptHandler() }
        if sig != SIGINT, let terminateHandler { return terminateHandler() }
        lock.lock()
        count += 1
        let n = count
        lock.unlock()
        if n == 1 {
            semaphore.signal()
        } else {
            FileHandle.standardError.write(Data("\n*** Interrupted twice: exiting now; the kernel releases the network\n".utf8))
            _exit(130)
        }
    }
}
