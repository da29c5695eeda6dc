import CNetlink

/// A failed rtnetlink request, carrying libnl's message and the object it was about.
public struct NetlinkError: Error, CustomStringConvertible, Sendable {
    /// What was attempted, in iproute2 words ("create veth", "set link up").
    public var operation: String
    /// The object the request was about ("h1-eth0", "10.0.0.1/8 on h1-eth0").
    public var object: String
    /// libnl's error code (positive NLE_* value).
    public var code: Int32
    /// libnl's text for `code`.
    public var message: String

    public init(operation: String, object: String, code: Int32) {
        self.operation = operation
        self.object = object
        self.code = code < 0 ? -code : code
        self.message = String(cString: nl_geterror(self.code))
    }

    public var description: String { "netlink: \(operation) \(object): \(message)" }

    /// The object already exists (EEXIST).
    public var isExists: Bool { code == NLE_EXIST }
}

/// Throws a NetlinkError when a libnl call returned a negative code.
@inline(__always)
func check(_ result: Int32, _ operation: @autoclosure () -> String, _ object: @autoclosure () -> String) throws {
    if result < 0 { throw NetlinkError(operation: operation(), object: object(), code: result) }
}
