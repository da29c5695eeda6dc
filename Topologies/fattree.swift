#!/usr/bin/env -S swiftnet run
// A k-ary fat tree (Al-Fares et al.): (k/2)^2 core switches, k pods of k/2 aggregation
// and k/2 edge switches, k/2 hosts on each edge switch: k^3/4 hosts in all.
//
//   sudo swiftnet run Topologies/fattree.swift -- --k 4
//   sudo swiftnet --custom Topologies/fattree.swift --topo fattree,4 --test pingall
//
// The tree has many loops, so the Linux bridges run STP (the build waits for it).
import Foundation
import Swiftnet

struct FatTreeError: Error, CustomStringConvertible {
    var description: String
}

func fatTree(k: Int) throws -> Topology {
    guard k >= 2, k % 2 == 0, k <= 16 else { throw FatTreeError(description: "k must be an even number from 2 to 16, not \(k)") }
    let half = k / 2
    var next = 0
    func name() -> String { next += 1; return "s\(next)" }
    let core = (0..<half * half).map { _ in name() }
    let aggregation = (0..<k).map { _ in (0..<half).map { _ in name() } }
    let edge = (0..<k).map { _ in (0..<half).map { _ in name() } }
    return Topology("fattree\(k)") {
        for s in core { Switch(s) }
        for pod in 0..<k {
            for s in aggregation[pod] + edge[pod] { Switch(s) }
            // Aggregation switch j of every pod links to core switches j*k/2 ..< (j+1)*k/2.
            for (j, a) in aggregation[pod].enumerated() {
                for c in 0..<half { Link(a, core[j * half + c]) }
                for e in edge[pod] { Link(a, e) }
            }
            for (j, e) in edge[pod].enumerated() {
                for h in 0..<half {
                    let host = "h\(pod * half * half + j * half + h + 1)"
                    Host(host)
                    Link(host, e)
                }
            }
        }
    }
}

Script.offer(["fattree": { args in try fatTree(k: args.int(0, default: 4)) }])

let k = Script.arguments.int("k", default: 4)
let topology: Topology
do { topology = try fatTree(k: k) } catch { print("fattree.swift: \(error)"); exit(2) }

Script.run(topology) { net in
    print("*** \(net.topology.hosts.count) hosts, \(net.topology.switches.count) switches; STP settled in \(net.stpWaitTime)")
    let r = Script.pingAll(net)
    if !r.allReceived { throw ScriptError("pingall: " + "\(r.received)/\(r.sent)") }
}
