import ArgumentParser
import Foundation
import Swiftnet

/// `swiftnet ls`: the running networks of this machine, as `containerlab inspect --all`.
struct Ls: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the running networks (name, nodes, age, pid, control socket).")

    @Flag(help: "Print JSON (one object per run).")
    var json = false

    func run() throws {
        var rows: [(RunningNetwork, ControlNetworkInfo)] = []
        for r in RunningNetwork.all() {
            // A run that is stopping may no longer answer: it is not listed.
            if let info = try? r.client.call("GET", "/v1/network", ControlNetworkInfo.self) { rows.append((r, info)) }
        }
        if json {
            let objects = rows.map { r, info in
                ["name": r.name, "id": r.id, "pid": "\(r.pid)", "nodes": "\(info.nodes.count)",
                 "age_seconds": String(format: "%.0f", Date().timeIntervalSince1970 - info.started), "socket": r.socket]
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        if rows.isEmpty { print("No running networks"); return }
        let table = [["NAME", "ID", "NODES", "AGE", "PID", "SOCKET"]] + rows.map { r, info in
            [r.name, r.id, "\(info.nodes.count)", age(Date().timeIntervalSince1970 - info.started), "\(r.pid)", r.socket]
        }
        printTable(table)
    }

    func age(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        return "\(s / 3600)h\(s / 60 % 60)m"
    }
}

/// Prints rows as left-aligned columns two spaces apart.
func printTable(_ rows: [[String]]) {
    let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
    for row in rows {
        print(row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  "))
    }
}
