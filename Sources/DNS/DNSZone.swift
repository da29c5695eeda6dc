/// The names an embedded server answers for: addresses, aliases and the reverse
/// pointers of the addresses, as a plain value that can be copied and handed across threads.
///
/// The zone is authoritative for every name: a name it does not hold does not exist
/// (NXDOMAIN), and nothing is forwarded. Names are compared without regard to ASCII
/// letter case and to a trailing dot. Build one with `addAddress(_:_:)` and
/// `addAlias(_:target:)`, and answer queries with `answer(_:)`.
public struct DNSZone: Sendable {
    /// The TTL of every record the zone hands out, and of negative answers.
    public let ttl: UInt32
    /// The owner of the zone's SOA record, returned in the authority section of negative
    /// answers; without a trailing dot.
    public let soaName: String
    /// The SOA serial: 1 for an empty zone, one more after each change.
    public private(set) var serial: UInt32 = 1

    /// The data held for one name.
    struct Node: Sendable {
        /// The name as first spelled, in text form without a trailing dot.
        var name: String
        /// IPv4 addresses, in the order added.
        var ipv4: [[UInt8]] = []
        /// IPv6 addresses, in the order added.
        var ipv6: [[UInt8]] = []
        /// The name a reverse-lookup name points to.
        var pointer: String?
        /// The canonical name, when this name is an alias.
        var alias: String?
        /// Whether the zone's SOA record lives here.
        var isApex = false

        /// Whether the name holds data besides a CNAME (which may not share a name).
        var hasNonAliasData: Bool { !ipv4.isEmpty || !ipv6.isEmpty || pointer != nil || isApex }
    }

    /// The names holding data, by comparison key (see `DNSName.key`).
    private(set) var nodes: [String: Node] = [:]
    /// The keys of every name that exists: those holding data and all their ancestors
    /// (empty non-terminals), the root included.
    private(set) var existing: Set<String> = []

    /// Creates a zone holding only its SOA record.
    ///
    /// - Parameters:
    ///   - ttl: The TTL of every record, and the SOA minimum (the negative-answer TTL).
    ///   - soaName: The owner of the SOA record; "swiftnet" is used if it is not a valid name.
    public init(ttl: UInt32 = 60, soaName: String = "swiftnet.") {
        self.ttl = ttl
        let labels = (try? DNSName.labels(soaName)) ?? [Array("swiftnet".utf8)]
        self.soaName = DNSName.text(labels)
        update(labels) { $0.isApex = true }
    }

    /// Adds an address record for a name: A for an IPv4 address, AAAA for IPv6. The
    /// reverse-lookup name of the address gets a PTR record pointing to `name`, unless an
    /// earlier name already claimed that address. Adding the same pair twice changes nothing.
    ///
    /// - Parameters:
    ///   - name: The host name, with or without a trailing dot.
    ///   - address: An IPv4 ("10.0.0.1") or IPv6 ("fc00::1") address.
    /// - Returns: False, with the zone unchanged, if `name` is not a valid name, `address`
    ///   is not an address, or `name` is already an alias.
    @discardableResult
    public mutating func addAddress(_ name: String, _ address: String) -> Bool {
        guard let labels = try? DNSName.labels(name), let bytes = DNSAddress.bytes(address),
              nodes[DNSName.key(labels: labels)]?.alias == nil else { return false }
        let display = DNSName.text(labels)
        update(labels) { node in
            if bytes.count == 4 {
                if !node.ipv4.contains(bytes) { node.ipv4.append(bytes) }
            } else if !node.ipv6.contains(bytes) {
                node.ipv6.append(bytes)
            }
        }
        let reverse = (try? DNSName.labels(DNSAddress.reverseName(bytes: bytes))) ?? []
        if nodes[DNSName.key(labels: reverse)]?.pointer == nil {
            update(reverse) { $0.pointer = display }
        }
        serial &+= 1
        return true
    }

    /// Makes a name an alias (CNAME) of another. Adding an alias again for the same name
    /// replaces its target.
    ///
    /// - Parameters:
    ///   - name: The alias, with or without a trailing dot.
    ///   - target: The canonical name it stands for; it need not be in the zone.
    /// - Returns: False, with the zone unchanged, if either name is invalid or `name`
    ///   already holds other data (addresses, a PTR record or the SOA record).
    @discardableResult
    public mutating func addAlias(_ name: String, target: String) -> Bool {
        guard let labels = try? DNSName.labels(name), let targetLabels = try? DNSName.labels(target),
              nodes[DNSName.key(labels: labels)]?.hasNonAliasData != true else { return false }
        let display = DNSName.text(targetLabels)
        update(labels) { $0.alias = display }
        serial &+= 1
        return true
    }

    /// Changes the node of a name, creating it (and marking its ancestors as existing) first
    /// if needed.
    ///
    /// - Parameters:
    ///   - labels: The name's labels.
    ///   - change: What to do to the node.
    private mutating func update(_ labels: [[UInt8]], _ change: (inout Node) -> Void) {
        let key = DNSName.key(labels: labels)
        if nodes[key] == nil {
            nodes[key] = Node(name: DNSName.text(labels))
            for start in 0...labels.count {
                existing.insert(DNSName.key(labels: Array(labels[start...])))
            }
        }
        change(&nodes[key]!)
    }

    /// The zone's SOA record (RFC 1035 §3.3.13), with a negative-answer TTL of `ttl`.
    public var soaRecord: DNSRecord {
        DNSRecord(name: soaName, ttl: ttl, data: .soa(DNSSOAData(
            mname: soaName, rname: soaName == "." ? "hostmaster" : "hostmaster." + soaName,
            serial: serial, refresh: 3600, retry: 600, expire: 86400, minimum: ttl)))
    }
}
