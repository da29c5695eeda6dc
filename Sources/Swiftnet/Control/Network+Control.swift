import Foundation

extension Network {
    /// The control API's socket of a running network, nil when it serves none.
    /// Equivalent to: `curl --unix-socket PATH http://swiftnet/v1/network`.
    public var controlSocket: String? { services.first(ControlService.self)?.socketPath }
}
