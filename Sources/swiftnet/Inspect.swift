import ArgumentParser
import Foundation
import Swiftnet

/// `swiftnet inspect RUN`: a running network's nodes with their interfaces and addresses,
/// and its links, as `containerlab inspect` shows a lab.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a running network: nodes, interfaces (MAC, state, addresses) and links.")

    @Argument(help: ArgumentHelp("The run (its name, NAME.PID, or its id from `swiftnet ls`).", valueName: "run"))
    var runName: String

    @Flag(help: "Print the API's JSON (the network, then each node).")
    var json = false

    func run() throws {
        let target = try remoteRun(runName)
        let info = try remoteCall(target, "GET", "/v1/network", ControlNetworkInfo.self)
        var nodes: [ControlNode] = []
        for n in info.nodes {
            nodes.append(try remoteCall(target, "GET", "/v1/nodes/\(pathSegment(n.name))", ControlNode.self))
        }
        if json {
            struct Document: Encodable { var network: ControlNetworkInfo; var nodes: [ControlNode] }
            print(String(decoding: ControlJSON.encode(Document(network: info, nodes: nodes)), as: UTF8.self))
            return
        }
        print("Run \(target.name) (\(target.id)), pid \(target.pid), \(info.nodes.count) nodes, \(info.links.count) links, socket \(target.socket)")
        var rows = [["NODE", "KIND", "INTERFACE", "MAC", "STATE", "ADDRESSES"]]
        for n in nodes {
            let kind = n.switchKind.map { "switch (\($0)\(n.dpid.map { ", dpid \($0)" } ?? ""))" } ?? n.kind
            if n.interfaces.isEmpty { rows.append([n.name, kind, "-", "-", "-", "-"]) }
            for (i, f) in n.interfaces.enumerated() {
                rows.append([i == 0 ? n.name : "", i == 0 ? kind : "", f.name, f.mac,
                             f.up ? (f.carrier ? "up" : "no-carrier") : "down", f.addresses.joined(separator: " ")])
            }
        }
        printTable(rows)
        print("Links: " + info.links.map { "\($0.aInterface)<->\($0.bInterface)" }.joined(separator: " "))
    }
}
