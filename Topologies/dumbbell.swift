#!/usr/bin/env -S swiftnet run
// A dumbbell: n hosts on each side of a bandwidth-limited bottleneck link.
//
//   sudo swiftnet run Topologies/dumbbell.swift -- --n 3 --bw 20
//   sudo swiftnet --custom Topologies/dumbbell.swift --topo dumbbell,3,20 --test pingall
//
// Options after --: --n hosts per side (2), --bw the bottleneck in Mbit/s (10),
// --switch lxbr|user (lxbr), --seconds for iperf3 (3), --cli for the swiftnet> shell
// afterwards (Mininet's CLI(net)).
import Swiftnet
import SwiftnetCLI

func dumbbell(n: Int, bw: Double, kind: SwitchKind = .lxbr) -> Topology {
    Topology("dumbbell") {
        Switch("s1", kind: kind)
        Switch("s2", kind: kind)
        for i in 1...n {
            Host("h\(i)")
            Link("h\(i)", "s1")
            Host("h\(n + i)")
            Link("h\(n + i)", "s2")
        }
        Link("s1", "s2", bw: bw)
    }
}

Script.offer([
    "dumbbell": { args in dumbbell(n: args.int(0, default: 2), bw: args.double(1, default: 10)) },
])

let args = Script.arguments
let n = args.int("n", default: 2)
let bw = args.double("bw", default: 10)
let kind: SwitchKind = args.string("switch", default: "lxbr") == "user" ? .user : .lxbr
let seconds = args.int("seconds", default: 3)

Script.run(dumbbell(n: n, bw: bw, kind: kind)) { net in
    let ping = Script.pingAll(net)
    // One flow across the bottleneck, h1 -> h(n+1): it should get close to bw.
    let r = try net.iperf(client: "h1", server: "h\(n + 1)", seconds: seconds)
    let got = r.serverBitsPerSecond / 1e6
    Script.printTable(["flow", "bottleneck", "measured", "share"], [
        ["h1 -> h\(n + 1)", "\(bw) Mbit/s", String(format: "%.2f Mbit/s", got), String(format: "%.0f %%", 100 * got / bw)],
    ])
    if args.named["cli"] != nil { Shell.interact(with: net) }
    if !ping.allReceived { throw ScriptError("pingall: " + "\(ping.received)/\(ping.sent)") }
}
