#!/usr/bin/env -S swiftnet run
// Measures a built-in topology: build time, pingall, and iperf3 between host pairs,
// printed as a table.
//
//   sudo swiftnet run Topologies/measure.swift -- --topo tree,2,2 --seconds 2
import Foundation
import Swiftnet

let args = Script.arguments
let spec = args.string("topo", default: "tree,2,2")
let seconds = args.int("seconds", default: 2)
let pairs = args.int("pairs", default: 3)
let topology: Topology
do {
    topology = try Topology.builtin(spec)
} catch {
    print("measure.swift: --topo \(spec): \(error)")
    exit(2)
}

Script.run(topology) { net in
    let hosts = net.topology.endHosts.map(\.name)
    let clock = ContinuousClock()
    var ping: PingAllResult?
    let pingTime = clock.measure { ping = net.pingAll() }
    var rows: [[String]] = [
        ["build", "\(net.topology.hosts.count) hosts, \(net.topology.switches.count) switches", String(format: "%.3f s", Double(net.buildTime.components.attoseconds) / 1e18 + Double(net.buildTime.components.seconds))],
        ["pingall", "\(ping!.received)/\(ping!.sent) answered", String(format: "%.3f s", Double(pingTime.components.attoseconds) / 1e18 + Double(pingTime.components.seconds))],
    ]
    // iperf3 from the first host to others, farthest first.
    for server in hosts.dropFirst().reversed().prefix(pairs) {
        let r = try net.iperf(client: hosts[0], server: server, seconds: seconds)
        rows.append(["iperf3 \(hosts[0]) -> \(server)", "TCP, \(seconds) s", String(format: "%.2f Gbit/s", r.serverBitsPerSecond / 1e9)])
    }
    Script.printTable(["measure", "what", "result"], rows)
}
