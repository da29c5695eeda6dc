import Foundation
import Glibc
import Swiftnet

/// The shell's processes: the foreground command Ctrl-C goes to, and background jobs.
extension Shell {
    // MARK: - The foreground command

    /// Waits for a foreground process; Ctrl-C meanwhile goes to it (see `interrupt`).
    func waitForeground(_ pid: pid_t) -> Int32 {
        lock.lock()
        foreground = pid
        interruptsSinceForeground = 0
        lock.unlock()
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WUNTRACED)
            if r < 0 && errno == EINTR { continue }
            // Ctrl-Z: there is no job control here; let the program go on.
            if r == pid && status & 0xff == 0x7f { kill(-pid, SIGCONT); continue }
            break
        }
        lock.lock()
        foreground = nil
        lock.unlock()
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

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
        guard let pid = foreground else { return }
        interruptsSinceForeground += 1
        let sig = interruptsSinceForeground == 1 ? SIGINT : SIGKILL
        kill(-pid, sig)
        kill(pid, sig)
    }

    /// A check for built-in commands: true once Ctrl-C has been pressed since this call.
    func interruptCheck() -> @Sendable () -> Bool {
        let start = lock.withLock { interrupts }
        return { [unowned self] in self.lock.withLock { self.interrupts } != start }
    }

    // MARK: - Jobs

    /// Records a background job; returns its number.
    func addJob(pid: pid_t, command: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let n = nextJob
        nextJob += 1
        jobs.append((n, pid, command))
        return n
    }

    /// Forgets jobs that have ended, and returns those still running.
    func reapJobs() -> [(number: Int, pid: pid_t, command: String)] {
        lock.lock()
        defer { lock.unlock() }
        var status: Int32 = 0
        jobs.removeAll { waitpid($0.pid, &status, WNOHANG) == $0.pid }
        return jobs
    }

    /// Waits until every background job has ended (Ctrl-C goes to each in turn), and
    /// forgets them.
    func waitJobs() {
        for j in reapJobs() {
            setForeground(j.pid)
            var status: Int32 = 0
            while waitpid(j.pid, &status, 0) < 0 && errno == EINTR {}
            setForeground(nil)
            lock.withLock { jobs.removeAll { $0.pid == j.pid } }
        }
    }

    /// Kills and reaps every background job (at exit).
    func killJobs() {
        lock.lock()
        let all = jobs
        jobs.removeAll()
        lock.unlock()
        for j in all {
            kill(-j.pid, SIGKILL)
            kill(j.pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(j.pid, &status, 0) < 0 && errno == EINTR {}
        }
    }
}
