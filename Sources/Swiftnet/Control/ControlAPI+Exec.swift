import Foundation
import Namespaces

extension ControlAPI {
    /// `POST /v1/nodes/NODE/exec`: runs a command inside the node, as the shell's
    /// `NODE CMD` does (the host's own /etc/hosts and resolv.conf, a process of the run).
    /// The command is killed when its timeout runs out, when the client goes away, or
    /// when the network stops.
    func exec(on node: String, body: [UInt8], responder: ControlResponder) throws {
        _ = try requireNode(node)
        let example = #"{"argv": ["ping", "-c1", "h2"]}, {"cmd": "ip addr | grep inet", "stream": true} or {"shell": "cd /tmp"}"#
        let req = try ControlJSON.decode(ControlExecRequest.self, from: body, example: example)
        let argv: [String]
        switch (req.argv, req.cmd, req.shell) {
        case (let a?, nil, nil) where !a.isEmpty: argv = a
        case (nil, let c?, nil) where !c.isEmpty: argv = ["/bin/sh", "-c", c]
        case (nil, nil, let c?) where !c.isEmpty: argv = []
        case (nil, nil, nil): throw ControlError(400, "say what to run: send \(example)")
        case (_, _, _) where [req.argv != nil, req.cmd != nil, req.shell != nil].filter({ $0 }).count > 1:
            throw ControlError(400, "give one of argv, cmd and shell")
        default: throw ControlError(400, "say what to run: send \(example)")
        }
        if let t = req.timeout, !(t > 0 && t <= 86_400) {
            throw ControlError(400, "timeout \(t): give seconds between 0 and 86400")
        }
        let timeout = req.timeout.map { Duration.milliseconds(Int64($0 * 1000)) }
        let stream = req.stream ?? false
        guard net.isRunning else { throw ControlError(409, "run '\(net.name)' is stopping") }
        if stream { responder.begin(status: 200) }
        var pending = UTF8Carry()
        if let line = req.shell {
            try inShell(node, line, timeout: timeout, stream: stream, responder: responder)
            return
        }
        let result: ProcessResult
        do {
            result = try net.run(on: node, argv, timeout: timeout,
                                 isCancelled: { responder.isClosed }, onOutput: stream ? { which, bytes in
                guard let text = pending.take(which, bytes) else { return }
                responder.line(ControlJSON.encode(which == 1 ? ControlExecChunk(stdout: text) : ControlExecChunk(stderr: text)))
            } : nil)
        } catch let e as NetworkError where e.isInterrupted {
            // The client went away, or the run is being interrupted: the command was killed.
            if stream { responder.end(); return }
            throw ControlError(409, "the command was killed: run '\(net.name)' is being interrupted")
        } catch {
            // A program that does not exist is the request's fault; say it as the shell would.
            let e = ControlError(stream ? 200 : 400, "\(error)")
            if stream {
                responder.line(ControlJSON.encode(ControlExecResult(exit: 127, signal: nil, timedOut: false, stdout: nil, stderr: "\(error)\n")))
                responder.end()
                return
            }
            throw e
        }
        finish(ControlExecResult(exit: result.exitStatus, signal: result.signal, timedOut: result.timedOut,
                                 stdout: stream ? nil : result.stdout, stderr: stream ? nil : result.stderr),
               stream: stream, responder: responder)
    }

    /// The command's result: the last line of a stream, or the whole answer.
    private func finish(_ done: ControlExecResult, stream: Bool, responder: ControlResponder) {
        if stream {
            responder.line(ControlJSON.encode(done))
            responder.end()
        } else {
            responder.respond(status: 200, json: ControlJSON.encode(done))
        }
    }


    /// `{"shell": ...}`: the node's persistent shell; its output is one stream (stdout).
    func inShell(_ node: String, _ line: String, timeout: Duration?, stream: Bool, responder: ControlResponder) throws {
        var pending = UTF8Carry()
        let r: ShellResult
        do {
            r = try net.runInShell(of: node, line, timeout: timeout, isCancelled: { responder.isClosed },
                                   onOutput: stream ? { bytes in
                guard let text = pending.take(1, bytes) else { return }
                responder.line(ControlJSON.encode(ControlExecChunk(stdout: text)))
            } : nil)
        } catch let e as NetworkError where e.isInterrupted {
            if stream { responder.end(); return }
            throw ControlError(409, "the command was interrupted: run '\(net.name)' is being interrupted")
        } catch {
            throw ControlError(stream ? 500 : 409, "\(node): \(error)")
        }
        finish(ControlExecResult(exit: r.status, signal: nil, timedOut: r.timedOut,
                                 stdout: stream ? nil : r.output, stderr: stream ? nil : "", shellExited: r.shellExited),
               stream: stream, responder: responder)
    }
}

extension ControlAPI {
    /// `GET /v1/nodes/NODE/output`: what the node's persistent shell prints while no
    /// command runs (its `&` jobs' output), as NDJSON `{"stdout": ...}` lines, until the
    /// client goes or the shell or the network ends. While a command runs its output is
    /// the command's. This is what a Mininet script reads from `node.stdout`.
    func idleOutput(of node: String, responder: ControlResponder) throws {
        guard net.topology.kind(of: node) != nil else { throw ControlError(404, "no node '\(node)' in run '\(net.name)'") }
        _ = try? net.persistentShell(of: node)  // a shell of its own, before the answer starts
        responder.begin(status: 200)
        // A thread of its own: the stream lasts as long as the client wants it, and a
        // script may watch every node at once.
        let net = self.net
        let thread = Thread {
            var pending = UTF8Carry()
            while !responder.isClosed && !net.isInterrupted {
                switch (try? net.idleOutput(of: node, wait: .milliseconds(200))) ?? .gone {
                case .busy:
                    usleep(50_000)
                case .output(let bytes):
                    if let text = pending.take(1, bytes[...]) {
                        responder.line(ControlJSON.encode(ControlExecChunk(stdout: text)))
                    }
                case .gone:
                    responder.end()
                    return
                }
            }
            responder.end()
        }
        thread.name = "swiftnet.output.\(node)"
        thread.start()
    }
}

/// Splits a byte stream into text pieces without cutting a UTF-8 character in two: the
/// bytes of a character the pipe delivered only in part wait for the next read.
struct UTF8Carry {
    private var held: [Int: [UInt8]] = [:]

    /// The text of `bytes` after what stream `which` held, less an unfinished character
    /// at the end; nil when nothing is complete yet.
    mutating func take(_ which: Int, _ bytes: ArraySlice<UInt8>) -> String? {
        var all = held[which, default: []] + bytes
        var cut = all.count
        // Back over at most three continuation bytes to the lead byte of the last character.
        var i = all.count - 1
        while i >= 0 && all.count - i <= 4 && all[i] & 0xC0 == 0x80 { i -= 1 }
        if i >= 0 {
            let lead = all[i]
            let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            if all.count - i < length { cut = i }
        }
        held[which] = Array(all[cut...])
        all.removeSubrange(cut...)
        return all.isEmpty ? nil : String(decoding: all, as: UTF8.self)
    }
}
