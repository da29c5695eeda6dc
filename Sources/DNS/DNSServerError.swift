import Glibc

/// A failure of the embedded server to take or create its sockets.
public struct DNSServerError: Error, CustomStringConvertible, Sendable {
    /// What failed, including the system's explanation where there is one.
    public let description: String
    /// The `errno` value of the failed system call, or 0 when no system call failed.
    public let code: Int32

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - description: What failed.
    ///   - code: The `errno` value of the failed call, or 0.
    public init(_ description: String, code: Int32 = 0) {
        self.description = description
        self.code = code
    }

    /// An error for a failed system call, with `errno` read now.
    ///
    /// - Parameter what: The operation that failed, for example "bind 127.0.0.1:53/udp".
    /// - Returns: The error, its description ending in the `strerror` text.
    static func system(_ what: String) -> DNSServerError {
        let code = errno
        return DNSServerError("\(what): \(String(cString: strerror(code)))", code: code)
    }
}
