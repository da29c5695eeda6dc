import Foundation

extension LinkParams {
    /// Checks the parameters and converts them; nil when none is set.
    /// - Parameter what: names the link in messages ("link h1-s1").
    func resolved(_ what: String, at location: SourceLocation?) throws -> LinkShaping? {
        if isEmpty { return nil }
        var out = LinkShaping()
        if let bw {
            guard let v = Double(bw), v > 0, v <= 100_000 else {
                throw TopologyError("\(what) has bw '\(bw)': give Mbit/s as a number above 0 and at most 100000, such as bw: 10", at: location)
            }
            out.bandwidthMbps = v
        }
        // 10000 s is far past any emulated link's delay.
        func duration(_ name: String, _ text: String) throws -> Int {
            guard let d = parseDuration(text), d < .seconds(10_000) else {
                throw TopologyError("\(what) has \(name) '\(text)': write a number with a unit (\(durationUnits)) below 10000s, such as 10ms or 2s", at: location)
            }
            return Int(microseconds(d))
        }
        if let delay { out.delayMicroseconds = try duration("delay", delay) }
        if let jitter {
            let us = try duration("jitter", jitter)
            guard out.delayMicroseconds != nil else {
                throw TopologyError("\(what) has jitter but no delay: jitter varies the delay, so give a delay too", at: location)
            }
            out.jitterMicroseconds = us
        }
        if let loss {
            guard let v = Double(loss), v >= 0, v <= 100 else {
                throw TopologyError("\(what) has loss '\(loss)': give a percentage from 0 to 100, such as loss: 1", at: location)
            }
            out.lossPercent = v
        }
        if let maxQueue {
            guard let v = Int(maxQueue), v >= 1 else {
                throw TopologyError("\(what) has max_queue '\(maxQueue)': give a number of packets, at least 1", at: location)
            }
            out.maxQueue = v
        }
        out.useTBF = useTBF ?? false
        return out
    }
}


extension LinkParams {
    /// Parses Mininet's `--link tc,bw=10,delay=5ms,loss=1` (the `tc` is optional) or the
    /// shell's `bw=5 delay=10ms` words.
    public static func parse(option text: String) throws -> LinkParams {
        var p = LinkParams()
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        for (i, part) in parts.enumerated() {
            if i == 0 && (part == "tc" || part == "default") { continue }
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, !kv[1].isEmpty else {
                throw TopologyError("'\(part)' is not NAME=VALUE; write for example tc,bw=10,delay=5ms,loss=1")
            }
            switch kv[0] {
            case "bw": p.bw = kv[1]
            case "delay": p.delay = kv[1]
            case "jitter": p.jitter = kv[1]
            case "loss": p.loss = kv[1]
            case "max_queue", "max_queue_size": p.maxQueue = kv[1]
            case "use_tbf":
                guard let b = parseBool(kv[1]) else {
                    throw TopologyError("use_tbf must be \(boolSyntax), not '\(kv[1])'")
                }
                p.useTBF = b
            default:
                throw TopologyError("unknown link parameter '\(kv[0])'; the parameters are bw, delay, jitter, loss, max_queue, use_tbf")
            }
        }
        return p
    }

    /// Checks the parameters on their own (for the shell's live changes).
    public func shaping(for what: String) throws -> LinkShaping? {
        try resolved(what, at: nil)
    }
}
