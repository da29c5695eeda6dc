/// An entry of a node's main routing table as the kernel reports it (`ip route`, `ip -6 route`).
public struct RouteEntry: Sendable, Hashable {
    /// The destination prefix; the default route is 0.0.0.0/0 or ::/0.
    public var destination: IPCIDR
    /// The next hop ("via"), nil for a directly connected prefix.
    public var gateway: IPAddress?
    /// The outgoing interface's name ("dev"), nil when it has none or is not known.
    public var interface: String?
    /// The outgoing interface's ifindex inside the node's namespace.
    public var interfaceIndex: Int32?

    public init(destination: IPCIDR, gateway: IPAddress? = nil, interface: String? = nil, interfaceIndex: Int32? = nil) {
        self.destination = destination
        self.gateway = gateway
        self.interface = interface
        self.interfaceIndex = interfaceIndex
    }

    /// Whether this is a default route (prefix length 0).
    public var isDefault: Bool { destination.prefixLength == 0 }

    /// The destination as `ip route` writes it: "default", "10.0.0.0/8", and a host
    /// route without its prefix length ("10.0.0.1", not "10.0.0.1/32").
    public var destinationText: String {
        if isDefault { return "default" }
        let full = destination.isIPv6 ? 128 : 32
        return destination.prefixLength == full ? destination.address.description : destination.description
    }

    /// The kind of a route, by the name `ip route` gives it ("unicast", "local",
    /// "unreachable", ..., or "type N" for another).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        public let description: String
        public init(_ name: String) { description = name }
        public static let unicast = Kind("unicast")
        public static let local = Kind("local")
        public static let broadcast = Kind("broadcast")
        public static let blackhole = Kind("blackhole")
        public static let unreachable = Kind("unreachable")
        public static let prohibit = Kind("prohibit")
        public static let `throw` = Kind("throw")
    }
}

/// The kernel's answer to "how would a packet to this address leave the node", as
/// `ip route get` prints it.
public struct RouteLookupResult: Sendable, Hashable {
    /// The address asked about.
    public var destination: IPAddress
    /// `.unreachable` (without interface) when the kernel has no route.
    public var type: RouteEntry.Kind
    /// The next hop ("via"), nil for a destination on a directly connected link.
    public var gateway: IPAddress?
    /// The outgoing interface's name ("dev").
    public var interface: String?
    /// The outgoing interface's ifindex inside the node's namespace.
    public var interfaceIndex: Int32?
    /// The source address the kernel would pick ("src").
    public var preferredSource: IPAddress?
    /// The table the route was found in (254 main, 255 local); 0 when there is none.
    public var table: UInt32

    public init(destination: IPAddress, type: RouteEntry.Kind, gateway: IPAddress? = nil, interface: String? = nil,
                interfaceIndex: Int32? = nil, preferredSource: IPAddress? = nil, table: UInt32 = 0) {
        self.destination = destination
        self.type = type
        self.gateway = gateway
        self.interface = interface
        self.interfaceIndex = interfaceIndex
        self.preferredSource = preferredSource
        self.table = table
    }
}
