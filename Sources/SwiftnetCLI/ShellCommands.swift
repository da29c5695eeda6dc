import Foundation
import Glibc
import Swiftnet

extension Shell {
    // MARK: - Running programs

    /// Replaces every word that names a host by the host's IP address, as Mininet does.
    func substituteNodeNames(_ command: String) -> String {
        var out = ""
        var word = ""
        func flush() {
            if let h = net.topology.host(word) { out += h.ip.address.description } else { out += word }
            word = ""
        }
        for c in command {
            if c.isWhitespace { flush(); out.append(c) } else { word.append(c) }
        }
        flush()
        return out
    }

    /// Runs a command line inside a node; a trailing `&` makes it a background job.
    func runInNode(_ node: String, _ command: String) {
        var cmd = substituteNodeNames(command).trimmingCharacters(in: .whitespaces)
        let background = cmd.hasSuffix("&") && !cmd.hasSuffix("&&")
        if background { cmd = String(cmd.dropLast()).trimmingCharacters(in: .whitespaces) }
        do {
            if background {
                let pid = try net.spawn(on: node, ["/bin/sh", "-c", cmd], stdout: -1, stderr: -1)
                lock.lock()
                let n = nextJob
                nextJob += 1
                jobs.append((n, pid, "\(node) \(cmd)"))
                lock.unlock()
                say("[\(n)] \(pid)")
                return
            }
            // On a terminal the command gets it, as in any shell: it can read input, and
            // Ctrl-C reaches it directly.
            let tty: Int32? = isatty(0) == 1 ? 0 : nil
            let pid = try net.spawn(on: node, ["/bin/sh", "-c", cmd], stdin: tty ?? -1, terminal: tty)
            lastStatus = waitForeground(pid)
            if let tty {
                signal(SIGTTOU, SIG_IGN)
                tcsetpgrp(tty, getpgrp())
            }
        } catch {
            _ = fail("*** \(node): \(error)")
        }
    }

    /// Runs a command in the machine's own shell (`sh`), outside the emulated network.
    func runLocal(_ command: String) {
        guard !command.isEmpty else { _ = fail("usage: sh CMD"); return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        do {
            try p.run()
            lock.lock(); foreground = p.processIdentifier; interruptsSinceForeground = 0; lock.unlock()
            p.waitUntilExit()
            lock.lock(); foreground = nil; lock.unlock()
            lastStatus = p.terminationStatus
        } catch {
            _ = fail("*** sh: \(error)")
        }
    }

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

    /// Forgets jobs that have ended, and returns those still running.
    func reapJobs() -> [(number: Int, pid: pid_t, command: String)] {
        lock.lock()
        defer { lock.unlock() }
        var status: Int32 = 0
        jobs.removeAll { waitpid($0.pid, &status, WNOHANG) == $0.pid }
        return jobs
    }

    func listJobs() {
        let running = reapJobs()
        if running.isEmpty { say("no background jobs") }
        for j in running { say("[\(j.number)] \(j.pid) running  \(j.command)") }
    }

    func waitJobs() {
        for j in reapJobs() {
            lock.lock(); foreground = j.pid; interruptsSinceForeground = 0; lock.unlock()
            var status: Int32 = 0
            while waitpid(j.pid, &status, 0) < 0 && errno == EINTR {}
            lock.lock(); foreground = nil; lock.unlock()
        }
        _ = reapJobs()
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

    // MARK: - Commands

    /// Mininet's pingall table, a line per source as it completes; Ctrl-C stops it.
    func pingAll(timeout: Int, full: Bool = false, hosts: [String]? = nil) {
        let result = printPingAll(net, hosts: hosts, timeout: timeout, full: full, isCancelled: interruptCheck()) { self.say($0) }
        if result.interrupted { lastStatus = 130 } else if !result.allReceived { lastStatus = 1 }
    }

    /// `iperf [h1 h2]` and `iperfudp BW [h1 h2]`, printing Mininet's result lines.
    func iperf(_ args: [String], udp: Bool) {
        var rest = args
        var bw: String?
        if udp {
            guard let first = rest.first else { _ = fail("usage: iperfudp BW [HOST1 HOST2]   (e.g. iperfudp 10M h1 h2)"); return }
            bw = first
            rest.removeFirst()
        }
        let hosts = net.topology.endHosts.map(\.name)
        let pair: [String]
        if rest.isEmpty {
            guard hosts.count >= 2 else { _ = fail("*** iperf needs two hosts"); return }
            pair = [hosts.first!, hosts.last!]
        } else {
            guard rest.count == 2, rest.allSatisfy({ net.topology.host($0) != nil }) else {
                _ = fail("usage: \(udp ? "iperfudp BW" : "iperf") [HOST1 HOST2], with two host names")
                return
            }
            pair = rest
        }
        say("*** Iperf: testing \(udp ? "UDP" : "TCP") bandwidth between \(pair[0]) and \(pair[1]) ")
        do {
            let r = try net.iperf(client: pair[0], server: pair[1], udpBandwidth: bw, isCancelled: interruptCheck())
            let parts = (bw.map { [$0] } ?? []) + [formatBitRate(r.serverBitsPerSecond), formatBitRate(r.clientBitsPerSecond)]
            say("*** Results: [" + parts.map { "'\($0)'" }.joined(separator: ", ") + "]")
        } catch let e as NetworkError where e.isInterrupted {
            say("*** Interrupted")
            lastStatus = 130
        } catch {
            _ = fail("*** \(error)")
        }
    }

    func link(_ args: [String]) {
        if args.count >= 3, args[2].contains("=") {
            do {
                let params = try LinkParams.parse(option: args[2...].joined(separator: " "))
                guard let shaping = try params.shaping(for: "link \(args[0])-\(args[1])") else { return }
                try net.setShaping(args[0], args[1], shaping)
            } catch {
                _ = fail("*** \(error)")
            }
            return
        }
        guard args.count == 3, args[2] == "up" || args[2] == "down" else {
            _ = fail("usage: link A B up|down, or link A B bw=5 [delay=5ms loss=1 ...]")
            return
        }
        do {
            try net.setLink(args[0], args[1], up: args[2] == "up")
        } catch {
            _ = fail("*** \(error)")
        }
    }

    func source(_ args: [String]) {
        guard let path = args.first else { _ = fail("usage: source FILE"); return }
        guard sourceDepth < 10 else { _ = fail("*** source: nested too deeply"); return }
        guard let src = ScriptLineSource(path: path) else { _ = fail("*** source: cannot read \(path)"); return }
        sourceDepth += 1
        defer { sourceDepth -= 1; src.close() }
        // Ctrl-C stops the command that runs and the rest of the file.
        let interrupted = interruptCheck()
        while !interrupted(), let line = src.readLine(prompt: "") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { continue }
            if !execute(t) { break }
        }
    }
}
