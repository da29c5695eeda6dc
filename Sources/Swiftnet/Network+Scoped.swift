import Foundation

extension Network {
    /// Builds `topology`, runs `body` with the running network and tears it down, whatever
    /// happens: on return, on any error `body` throws, and when the build itself fails
    /// (what was made is released first). Never exits the process and installs no signal
    /// handlers: to end it on Ctrl-C, pass `options.isCancelled` (the network's long
    /// operations then throw `NetworkError.interrupted`).
    ///
    /// ```swift
    /// let loss = try Network.run(topology) { net in net.pingAll().droppedPercent }
    /// ```
    /// - Throws: `TopologyError` (the topology is invalid; nothing was made), the build's
    ///   errors (`NetworkError` for missing privileges or a failed build), or `body`'s.
    public static func run<R>(_ topology: Topology, options: NetworkOptions = NetworkOptions(),
                              _ body: (Network) throws -> R) throws -> R {
        try run(topology.validated(), options: options, body)
    }

    /// `run(_:options:_:)` for a topology that has been validated already.
    public static func run<R>(_ topology: ValidatedTopology, options: NetworkOptions = NetworkOptions(),
                              _ body: (Network) throws -> R) throws -> R {
        let net = Network(topology, options: options)
        try net.start()
        defer { net.stop() }
        return try body(net)
    }
}
