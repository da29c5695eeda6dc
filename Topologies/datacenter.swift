#!/usr/bin/env -S swiftnet run
// A two-tier data center (leaf-spine): every leaf (top-of-rack) switch links to every
// spine, and each leaf has its rack of hosts.
//
//   sudo swiftnet run Topologies/datacenter.swift -- --spines 2 --leaves 4 --hosts 2
//   sudo swiftnet --custom Topologies/datacenter.swift --topo leafspine,2,4,2 --test pingall
//
// With two or more spines there are loops, so the Linux bridges run STP.
import Swiftnet

func leafSpine(spines: Int, leaves: Int, hostsPerLeaf: Int) -> Topology {
    Topology("leafspine") {
        for s in 1...spines { Switch("s\(s)") }
        for l in 1...leaves {
            let leaf = "s\(spines + l)"
            Switch(leaf)
            for s in 1...spines { Link(leaf, "s\(s)") }
            for h in 1...hostsPerLeaf {
                let host = "h\((l - 1) * hostsPerLeaf + h)"
                Host(host)
                Link(host, leaf)
            }
        }
    }
}

Script.offer([
    "leafspine": { a in leafSpine(spines: a.int(0, default: 2), leaves: a.int(1, default: 4), hostsPerLeaf: a.int(2, default: 2)) },
])

let a = Script.arguments
let spines = a.int("spines", default: 2), leaves = a.int("leaves", default: 4), perLeaf = a.int("hosts", default: 2)
Script.run(leafSpine(spines: spines, leaves: leaves, hostsPerLeaf: perLeaf)) { net in
    let r = Script.pingAll(net)
    // Rack to rack: the first host of the first and of the last rack.
    let last = "h\((leaves - 1) * perLeaf + 1)"
    let t = try net.iperf(client: "h1", server: last, seconds: 2)
    Script.printTable(["pair", "TCP"], [["h1 -> \(last)", String(format: "%.2f Gbit/s", t.serverBitsPerSecond / 1e9)]])
    if !r.allReceived { throw ScriptError("pingall: " + "\(r.received)/\(r.sent)") }
}
