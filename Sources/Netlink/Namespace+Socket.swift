import CNetlink
import CShims
import Glibc

/// A system call failure outside libnl (namespace switching, sysctl).
public struct SystemCallError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var errno: Int32
    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }
    public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}

/// Runs `body` with the calling thread inside the network namespace `fd`, then returns
/// the thread to where it was. `body` must be synchronous: the namespace is per thread.
public func withNetworkNamespace<T>(_ fd: Int32, _ body: () throws -> T) throws -> T {
    let orig = sn_netns_open_current()
    if orig < 0 { throw SystemCallError("open /proc/thread-self/ns/net", errno: -orig) }
    defer { close(orig) }
    let r = sn_netns_enter(fd)
    if r < 0 { throw SystemCallError("setns(CLONE_NEWNET)", errno: -r) }
    defer {
        // Returning to our own namespace cannot fail while we hold CAP_SYS_ADMIN.
        if sn_netns_enter(orig) < 0 { fatalError("cannot return to the original network namespace") }
    }
    return try body()
}
