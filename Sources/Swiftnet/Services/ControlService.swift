import Foundation

/// The control API (see `ControlAPI`) on `<state>/control/api.sock`: started after every
/// other service, so that what it serves is whole, and stopped first.
final class ControlService: NetworkService, @unchecked Sendable {
    let name = "control"
    let dependencies = ["state", "dns", "dnsmasq", "frr", "userswitch"]
    private let lock = NSLock()
    private var server: ControlServer?
    private var stopped = false

    func start(_ net: Network) throws {
        let path = "\(try net.stateDirectory())/control/api.sock"
        let stop: @Sendable () -> Void = net.options.onStopRequest ?? { [weak net] in
            guard let net else { return }
            // Not on the server's own threads: stopping closes them.
            DispatchQueue.global().async { net.stop() }
        }
        let rest = net.topology.controller?.isBuiltin == true ? net.options.restPort : nil
        let s = try ControlServer(api: ControlAPI(net: net, socketPath: path, requestStop: stop), path: path, restPort: rest)
        if let why = s.restFailure { FileHandle.standardError.write(Data("swiftnet: \(why)\n".utf8)) }
        lock.withLock { server = s }
    }

    func stop() {
        lock.lock()
        let s = server
        server = nil
        stopped = true
        lock.unlock()
        s?.stop()
    }

    func status() -> ServiceStatus {
        lock.withLock {
            ServiceStatus(name: name, state: stopped ? .stopped : server == nil ? .idle : .running, detail: server?.path ?? "")
        }
    }

    var socketPath: String? { lock.withLock { server?.path } }
}
