// A Swift program that uses the Swiftnet library directly: build a small network with
// the DSL, run real programs inside the hosts, check the results, tear it down.
// Run it as root:  swift run hello-network
import Foundation
import Swiftnet

let topology = Topology("hello") {
    Switch("s1")
    Switch("s2")
    for i in 1...4 {
        Host("h\(i)")
        Link("h\(i)", i <= 2 ? "s1" : "s2")
    }
    Link("s1", "s2", mtu: 1400)
}

do {
    let net = Network(try topology.validated(autoMAC: true))
    try net.start()
    defer { net.stop() }
    print("built \(net.topology.hosts.count) hosts in \(net.buildTime)")

    let one = try net.ping(from: "h1", to: "h4")
    print("h1 -> h4: \(one.received ? "reply" : "lost")\(one.rttMilliseconds.map { " in \($0) ms" } ?? "")")

    let route = try net.run(on: "h1", ["ip", "route"])
    print("h1's routes:\n\(route.stdout)", terminator: "")

    try net.setLink("s1", "s2", up: false)
    let cut = net.pingAll()
    print("with s1-s2 down: \(cut.received)/\(cut.sent) pings answered")
    try net.setLink("s1", "s2", up: true)

    let all = net.pingAll()
    print("pingall: \(all.droppedPercent)% dropped (\(all.received)/\(all.sent) received)")
    exit(all.allReceived ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("hello-network: \(error)\n".utf8))
    exit(2)
}
