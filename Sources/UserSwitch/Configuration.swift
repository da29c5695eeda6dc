import OpenFlow

/// What a user switch does while its controller is not connected (Open vSwitch's
/// fail_mode): `secure` forwards by the flows it has and drops the rest, `standalone`
/// forwards as a MAC-learning switch.
public enum UserSwitchFailMode: Sendable, Hashable {
    case secure
    case standalone
}

/// One switch of a datapath.
public struct UserSwitchSpec: Sendable, Hashable {
    public var name: String
    /// OpenFlow datapath id.
    public var dpid: UInt64
    public var failMode: UserSwitchFailMode
    /// The OpenFlow versions it offers a controller.
    public var versions: [OFVersion]

    public init(name: String, dpid: UInt64, failMode: UserSwitchFailMode, versions: [OFVersion]) {
        self.name = name
        self.dpid = dpid
        self.failMode = failMode
        self.versions = versions
    }
}

/// One port of a switch: a veth end in the fabric namespace, named `name`.
public struct UserSwitchPort: Sendable {
    /// The switch, by its index in the datapath's switches.
    public var switchIndex: Int
    /// The OpenFlow port number.
    public var number: Int
    public var name: String
    /// The link's shaping, applied to frames leaving through this port.
    public var egress: Impairment?
    /// For a port facing a host (not another switch): the link's shaping applied to frames
    /// arriving here, which stands for the host's own egress.
    public var ingress: Impairment?
    /// True when the veth's other end is in a host's namespace (not the fabric's): the
    /// kernel fast path then hands frames straight to that end.
    public var facesHost = false

    public init(switchIndex: Int, number: Int, name: String, egress: Impairment? = nil, ingress: Impairment? = nil) {
        self.switchIndex = switchIndex
        self.number = number
        self.name = name
        self.egress = egress
        self.ingress = ingress
    }
}

/// Where the controller listens: an IPv4 address reached from the machine's own
/// namespace, and a TCP port.
public struct ControllerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// "tcp:127.0.0.1:6653", as Open vSwitch writes a controller target.
    public var description: String { "tcp:\(host):\(port)" }
}

/// How one switch stands with its controller.
public struct UserSwitchState: Sendable, Hashable {
    public var name: String
    /// The handshake with the controller is complete (FEATURES_REPLY sent).
    public var connected: Bool
    /// The version settled with the controller, while there is a connection.
    public var version: OFVersion?
    /// False once the switch is stopped (`setRunning(false, switch:)`).
    public var running: Bool
}

/// A failure of the datapath, naming the port concerned.
public struct UserSwitchError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
