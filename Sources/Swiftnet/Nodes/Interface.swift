/// An interface of a node as the kernel reports it (for a switch: its ports).
public struct Interface: Sendable, Hashable {
    public var name: String
    /// ifindex inside the node's namespace.
    public var index: Int32
    public var mac: String
    public var mtu: Int
    /// Administratively up (`ip link set IF up`).
    public var isUp: Bool
    /// The other end is up too (carrier).
    public var hasCarrier: Bool
    /// Addresses with their prefix lengths (10.0.0.1/8, fd00::1/64); empty for switch
    /// ports, which have none.
    public var addresses: [IPCIDR]
    /// The link type the kernel reports ("veth", "bridge"), nil when it has none (lo).
    public var kind: String?
    /// The bridge this interface is a port of (a switch port's switch), nil when none.
    public var master: String?

    public init(name: String, index: Int32, mac: String, mtu: Int, isUp: Bool, hasCarrier: Bool, addresses: [IPCIDR] = [],
                kind: String? = nil, master: String? = nil) {
        self.name = name
        self.index = index
        self.mac = mac
        self.mtu = mtu
        self.isUp = isUp
        self.hasCarrier = hasCarrier
        self.addresses = addresses
        self.kind = kind
        self.master = master
    }
}
