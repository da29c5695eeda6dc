import Foundation
import SwiftnetCLI
import Glibc

/// The engine's line of JSON messages with the Python process that owns it: one JSON
/// object per line each way, over two pipes the Python process passed down. End of
/// file on the input is the owner's end (a SIGKILLed script): the engine stops.
final class EngineChannel: @unchecked Sendable {
    private let input: Int32
    private let output: Int32
    private var buffer: [UInt8] = []
    private let writeLock = NSLock()

    init(input: Int32, output: Int32) {
        self.input = input
        self.output = output
        _ = fcntl(input, F_SETFD, FD_CLOEXEC)
        _ = fcntl(output, F_SETFD, FD_CLOEXEC)
    }

    /// The next message, or nil at end of file (or on a line that is not a JSON object,
    /// which only a broken owner sends).
    func receive() -> [String: Any]? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<nl])
                buffer.removeSubrange(...nl)
                if line.isEmpty { continue }
                return (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer += chunk[..<n]
        }
    }

    /// Sends one message; a gone owner is ignored (the engine is stopping anyway).
    func send(_ message: [String: Any]) {
        guard var data = try? JSONSerialization.data(withJSONObject: message) else { return }
        data.append(0x0A)
        writeLock.lock()
        defer { writeLock.unlock() }
        data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(output, raw.baseAddress! + off, raw.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                off += n
            }
        }
    }
}

/// `py` and `px` in a shell the engine runs for `CLI(net)`: evaluated by the script's
/// own Python process, which waits on the channel while the shell runs.
final class ChannelPython: PythonEvaluator, @unchecked Sendable {
    let channel: EngineChannel
    init(channel: EngineChannel) { self.channel = channel }

    func evaluate(_ code: String, statement: Bool) -> (output: String, failed: Bool) {
        channel.send(["py": code, "statement": statement])
        guard let reply = channel.receive() else { return ("*** py: the Python script has ended", true) }
        return (reply["output"] as? String ?? "", reply["failed"] as? Bool ?? false)
    }
}
