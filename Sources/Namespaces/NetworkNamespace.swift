import CShims
import Foundation
import Glibc

/// A failed system call, with the operation and errno.
public struct NamespaceError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var errno: Int32
    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }
    public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}

/// A network namespace held only by a file descriptor.
///
/// The namespace, and every interface in it, disappears when the last descriptor closes
/// or the process dies, even by SIGKILL: nothing leaks into the root namespace.
/// Equivalent to: `unshare --net` kept open as /proc/thread-self/ns/net.
public final class NetworkNamespace: @unchecked Sendable {
    /// The O_CLOEXEC descriptor; valid until `close()`.
    public private(set) var fd: Int32

    /// Creates a new, empty network namespace (only a `lo`, down).
    /// - Throws: `NamespaceError` (EPERM without CAP_SYS_ADMIN).
    public init() throws {
        let fd = sn_netns_create()
        if fd < 0 { throw NamespaceError("unshare(CLONE_NEWNET)", errno: -fd) }
        self.fd = fd
    }

    /// Writes a sysctl as seen from inside the namespace (`ip netns exec NS sysctl -w K=V`).
    /// - Parameter key: dotted or slashed, e.g. `net.ipv6.conf.all.disable_ipv6`.
    public func setSysctl(_ key: String, _ value: String) throws {
        let r = sn_sysctl_write(fd, key, value)
        if r < 0 { throw NamespaceError("sysctl -w \(key)=\(value)", errno: -r) }
    }

    /// Writes several sysctls in order, entering the namespace once.
    public func setSysctls(_ pairs: [(String, String)]) throws {
        let keys = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer { (keys + values).forEach { free($0) } }
        let r = keys.map { UnsafePointer($0) }.withUnsafeBufferPointer { k in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { v in
                sn_sysctl_write_many(fd, k.baseAddress, v.baseAddress, Int32(pairs.count))
            }
        }
        if r < 0 { throw NamespaceError("sysctl -w " + pairs.map { "\($0.0)=\($0.1)" }.joined(separator: " "), errno: -r) }
    }

    /// Reads a sysctl as seen from inside the namespace.
    public func sysctl(_ key: String) throws -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let r = sn_sysctl_read(fd, key, &buf, Int32(buf.count))
        if r < 0 { throw NamespaceError("sysctl \(key)", errno: -r) }
        return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Publishes the namespace at `path` (an existing empty file), as `ip netns add` does
    /// under /run/netns. The mount keeps the namespace alive until it is unmounted.
    public func bindMount(at path: String) throws {
        let r = sn_bind_ns(fd, path)
        if r < 0 { throw NamespaceError("mount --bind namespace on \(path)", errno: -r) }
    }

    /// Releases this holder's reference; the kernel destroys the namespace when it was the last.
    public func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    deinit { close() }
}


/// Runs `body` with the calling thread inside the network namespace `fd`, then returns
/// the thread to where it was. `body` must be synchronous: the namespace is per thread.
/// - Throws: `NamespaceError` when the namespace cannot be entered, or what `body` throws.
public func withNetworkNamespace<T>(_ fd: Int32, _ body: () throws -> T) throws -> T {
    let orig = sn_netns_open_current()
    if orig < 0 { throw NamespaceError("open /proc/thread-self/ns/net", errno: -orig) }
    defer { Glibc.close(orig) }
    let r = sn_netns_enter(fd)
    if r < 0 { throw NamespaceError("setns(CLONE_NEWNET)", errno: -r) }
    defer {
        // Returning to our own namespace cannot fail while we hold CAP_SYS_ADMIN.
        if sn_netns_enter(orig) < 0 { fatalError("cannot return to the original network namespace") }
    }
    return try body()
}
