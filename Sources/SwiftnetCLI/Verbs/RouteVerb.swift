import Swiftnet

/// `route r1` prints r1's routing table (IPv4 then IPv6, as `ip route` and
/// `ip -6 route` would); `route r1 10.0.3.10` the kernel's lookup for that address.
struct RouteVerb: ShellVerb {
    let name = "route"
    let help = "route NODE [DEST]: print NODE's routing table, or how it routes DEST (ip route get)"
    let usage = "route NODE [DESTINATION]"

    func run(_ arguments: VerbArguments, in context: ShellContext) -> VerbStatus {
        let args = arguments.words
        let net = context.net
        guard let node = args.first, args.count <= 2 else { return context.usageError(self) }
        guard net.topology.host(node) != nil else {
            return context.fail("*** route: '\(node)' is not a host or router (switches do not route)")
        }
        do {
            if args.count == 2 {
                let r = try net.routeLookup(on: node, to: args[1])
                var line = "\(r.destination)"
                switch r.type {
                case .unicast:
                    if let g = r.gateway { line += " via \(g)" }
                    line += " dev \(r.interface ?? "?")"
                    if let s = r.preferredSource { line += " src \(s)" }
                case .local:
                    line = "local " + line + " dev lo"
                default:
                    line += ": \(r.type) (no route)"
                }
                context.say(line)
                return .success
            }
            let routes = try net.routes(of: node).map { (text: $0.destinationText, route: $0) }
                .filter { !$0.text.hasPrefix("fe80:") && !$0.text.hasPrefix("ff00:") }
            // Prefixes with a colon (IPv6) after the others, each in the order of its text.
            let sorted = routes.sorted { ($0.text.contains(":") ? 1 : 0, $0.text) < ($1.text.contains(":") ? 1 : 0, $1.text) }
            for (text, r) in sorted {
                var line = text
                if let g = r.gateway { line += " via \(g)" }
                if let i = r.interfaceIndex { line += " dev \(r.interface ?? "if\(i)")" }
                context.say(line)
            }
            return .success
        } catch {
            return context.fail("*** route: \(error)")
        }
    }
}
