import Foundation

extension Network {
    /// The control API's socket of a running network, nil when it serves none.
    /// Equivalent to: `curl --unix-socket PATH http://swiftnet/v1/network`.
    public var controlSocket: String? {
        lock.lock()
        defer { lock.unlock() }
        return controlServer?.path
    }

    /// Serves the control API on `<state>/control/api.sock`.
    func startControl() throws {
        let path = "\(try stateDirectory())/control/api.sock"
        let stop: @Sendable () -> Void = options.onStopRequest ?? { [weak self] in
            guard let net = self else { return }
            // Not on the server's own threads: stopping closes them.
            DispatchQueue.global().async { net.stop() }
        }
        let server = try ControlServer(api: ControlAPI(net: self, socketPath: path, requestStop: stop), path: path)
        lock.lock()
        controlServer = server
        lock.unlock()
    }
}
