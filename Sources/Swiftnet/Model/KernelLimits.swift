/// Limits of the Linux kernel that a topology must fit, checked by `validated()` (or, for
/// the ones that depend on the process or the machine, before the build) so that a
/// topology too big for them is refused with a message instead of failing half-built.
///
/// Each was found by building a topology that crosses it:
/// - interface names: `IFNAMSIZ` (16 bytes with the final NUL); a longer name is refused
///   by rtnetlink ("Input data out of range");
/// - bridge ports: `BR_MAX_PORTS` (1024, port 0 reserved), so 1023 ports; the 1024th
///   port's `IFLA_MASTER` fails with EXFULL ("Unspecific failure" in libnl);
/// - open files: every host holds a namespace descriptor and sockets, every user-switch
///   port a packet socket; past `RLIMIT_NOFILE` the build fails with EMFILE;
/// (The neighbour table, `gc_thresh3` entries for the whole machine, limits traffic, not
/// topologies: pingall keeps within it, see `ICMPProbe`.)
public enum KernelLimits {
    /// Linux's limit on interface names in bytes (IFNAMSIZ - 1).
    public static let interfaceNameLength = 15
    /// The most ports a Linux bridge takes (BR_MAX_PORTS less the reserved port 0).
    public static let bridgePorts = 1023
    /// Descriptors a run needs besides those counted per host and port: standard
    /// streams, the fabric namespace and its socket, the PID namespace's init, the
    /// janitor, event loops, and the pipes of programs running in hosts.
    public static let baseOpenFiles = 256

    /// Refuses an interface name the kernel would refuse.
    /// - Parameters:
    ///   - name: the interface name (`h1-eth0`, or a bridge's name: its switch's name).
    ///   - node: the node whose name makes it, to say what to shorten.
    /// - Throws: `TopologyError` at `location` when the name is longer than 15 bytes.
    static func checkInterfaceName(_ name: String, of node: String, at location: SourceLocation?) throws {
        let bytes = name.utf8.count
        guard bytes > interfaceNameLength else { return }
        if name == node {
            throw TopologyError("switch '\(node)' is a Linux bridge, an interface named as the switch: '\(node)' is \(bytes) bytes; Linux allows \(interfaceNameLength): shorten the switch's name, or make it kind user (--switch user)", at: location)
        }
        throw TopologyError("interface name '\(name)' is \(bytes) bytes; Linux allows \(interfaceNameLength): shorten the node name '\(node)'", at: location)
    }

    /// Refuses a Linux bridge with more ports than the kernel lets it have.
    /// - Throws: `TopologyError` naming the switch, its port count and the limit.
    static func checkBridgePorts(_ name: String, ports: Int, at location: SourceLocation?) throws {
        guard ports > bridgePorts else { return }
        throw TopologyError("switch '\(name)' has \(ports) ports; a Linux bridge takes at most \(bridgePorts) (the kernel's BR_MAX_PORTS): use the userspace switch (--switch user, or kind: user), which has no such limit, or spread the links over more switches", at: location)
    }

    /// Refuses `needed` descriptors when the process may open at most `hardLimit`.
    /// - Throws: `NetworkError` saying how many are needed and how to allow them.
    static func checkOpenFiles(needed: Int, hardLimit: UInt64) throws {
        guard UInt64(needed) > hardLimit else { return }
        throw NetworkError("this topology needs about \(needed) open files (a namespace per host and up to \(HostSockets.capacity) of their sockets at once), and this process may open at most \(hardLimit) (its hard RLIMIT_NOFILE): raise the limit as root with `ulimit -n \(needed)` in the shell that starts swiftnet (or LimitNOFILE= in its systemd unit, nofile in /etc/security/limits.conf), or build a smaller topology")
    }
}

extension ValidatedTopology {
    /// How many file descriptors a build of this topology holds at its peak: per host its
    /// namespace, up to `HostSockets.capacity` rtnetlink sockets, one packet socket for
    /// every user switch, one connection per user switch to the controller, and
    /// `KernelLimits.baseOpenFiles`. (A pingall opens an ICMP socket per host and CPU:
    /// one past the limit fails with an error naming the host.) The embedded DNS
    /// server's two sockets in a host are made when the host first runs a program, so
    /// they are not counted: a run rarely runs programs in every host of a big topology.
    public var openFilesNeeded: Int {
        let user = switches.filter { $0.kind == .user }
        return hosts.count + min(hosts.count, HostSockets.capacity) + (user.isEmpty ? 0 : 1) + (controller == nil ? 0 : user.count) + KernelLimits.baseOpenFiles
    }
}
