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

    var interrupted: Bool { lock.lock(); defer { lock.unlock() }; return count > 0 }

    /// Installs the handlers (once).
    func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [weak self] in self?.fire() }
            s.resume()
            sources.append(s)
        }
    }

    private func fire() {
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
