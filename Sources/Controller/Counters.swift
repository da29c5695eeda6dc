import Foundation

/// Debug counters of every module (Floodlight's debug counters): module, counter name,
/// value. Safe from any thread.
public final class DebugCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: [String: UInt64]] = [:]

    public init() {}

    public func add(_ module: String, _ counter: String, _ n: UInt64 = 1) {
        lock.lock()
        values[module, default: [:]][counter, default: 0] &+= n
        lock.unlock()
    }

    public func value(_ module: String, _ counter: String) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return values[module]?[counter] ?? 0
    }

    /// Every counter, by module and name.
    public var all: [String: [String: UInt64]] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}
