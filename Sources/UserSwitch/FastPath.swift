import CShims
import Dispatch
import Glibc
import Netlink

/// The datapath's kernel fast path: the flows the switch has decided, forwarded by the
/// kernel without a trip through this process (as Open vSwitch's kernel datapath caches
/// the decisions of ovs-vswitchd).
///
/// A decision goes to the kernel only when it holds for every frame with the same in port
/// and MAC addresses and leaves the frame as it is: a learning switch's unicast to a known
/// address, or an OpenFlow decision to output to one port when every flow entry of the
/// switch matches on nothing but in_port, the Ethernet addresses and metadata (the flows
/// a learning controller installs). Frames with a VLAN tag, ports with impairments,
/// meters, groups, edits and the controller stay in userspace.
///
/// Each entry remembers what it stands for (ports and flow entries), and `fold` moves the
/// kernel's counts onto them, so port, flow and table statistics and idle timeouts stay
/// true. An entry lives as long as the switch's generation (its flow tables, MAC table and
/// ports) does not change.
final class FastPath: @unchecked Sendable {
    struct Key: Hashable {
        var ifindex: Int32
        var dst: UInt64
        var src: UInt64
    }

    struct Entry {
        var switchIndex: Int
        var inPort: Int
        var outPort: Int
        /// The flow entries the decision hit (OpenFlow), as the pipeline's visits.
        var visits: [(table: Int, index: Int)]
        var generation: UInt64
        /// The kernel's counts already moved onto the ports and flows.
        var packets: UInt64 = 0
        var bytes: UInt64 = 0
    }

    /// Most entries at once; past it, decisions stay in userspace.
    static let capacity = 16_384

    private var handle = sn_offload(flows: -1, ports: -1, tc_program: -1, socket_program: -1)
    /// Programs go on ports from a queue of their own: rtnetlink can wait for seconds on
    /// a busy kernel (rtnl held while it frees another run's namespaces), and the
    /// datapath thread must never wait. Only `attacher` touches `routes` and `onPorts`.
    private let attacher = DispatchQueue(label: "swiftnet-fastpath")
    private let routes: RouteSocket
    private var onPorts: [Int32: String] = [:]
    private let attachDone: @Sendable (Int32, Bool) -> Void
    /// The datapath thread's view: ports with the program, ports asked for, ports that
    /// refused it.
    private var attached: Set<Int32> = []
    private var asked: Set<Int32> = []
    private var refused: Set<Int32> = []
    private(set) var entries: [Key: Entry] = [:]
    /// The switches (by index) with entries, and the generation of the switch they were
    /// made in (one per switch at a time), so revalidation looks only at those.
    private(set) var generations: [Int: UInt64] = [:]

    /// True when switch `index` has entries in the kernel.
    func hasEntries(ofSwitch index: Int) -> Bool { generations[index] != nil }

    /// Loads the programs for the ports `ifindexes` of the fabric namespace `fabric`.
    /// Nil where the kernel or the process's privileges do not allow it (the switch then
    /// forwards every frame itself).
    /// `attachDone` is called from another thread once a port has the program (true) or
    /// cannot have it; it hands that to the datapath thread (`attached(_:ok:)`).
    init?(fabric: Int32, ifindexes: [Int32], attachDone: @escaping @Sendable (Int32, Bool) -> Void) {
        guard let routes = try? RouteSocket(namespaceFD: fabric) else { return nil }
        self.routes = routes
        self.attachDone = attachDone
        let r = ifindexes.withUnsafeBufferPointer { sn_offload_open($0.baseAddress, Int32($0.count), Int32(Self.capacity), &handle) }
        guard r == 0 else { return nil }
    }

    /// Puts the fast path's filter on the ports' socket. False when it cannot be (the
    /// fast path must then not be used: the socket would read what the kernel forwards).
    func filter(socket: Int32) -> Bool {
        withUnsafePointer(to: handle) { sn_offload_filter_socket(socket, $0) } == 0
    }

    private static func macs(_ key: Key) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 12)
        for i in 0..<6 {
            b[i] = UInt8(truncatingIfNeeded: key.dst >> (40 - 8 * i))
            b[6 + i] = UInt8(truncatingIfNeeded: key.src >> (40 - 8 * i))
        }
        return b
    }

    /// Hands a decision to the kernel: frames like this one go from `entry.inPort` out of
    /// `outIfindex`. Does nothing when full or when the in port cannot take the program;
    /// while its program is on the way, the port's frames stay in userspace.
    /// `toPeer`: the out port's other end is in another namespace, and gets the frames
    /// straight into its ingress.
    func install(_ key: Key, outIfindex: Int32, toPeer: Bool, portName: String, entry: Entry) {
        guard entries[key] == nil, entries.count < Self.capacity,
              generations[entry.switchIndex].map({ $0 == entry.generation }) ?? true else { return }
        guard attached.contains(key.ifindex) else {
            if !asked.contains(key.ifindex) && !refused.contains(key.ifindex) {
                asked.insert(key.ifindex)
                let program = handle.tc_program
                attacher.async { [self] in
                    let ok = (try? routes.attachIngressProgram(index: key.ifindex, name: portName, programFD: program,
                                                               programName: "swiftnet_fwd")) != nil
                    if ok { onPorts[key.ifindex] = portName }
                    attachDone(key.ifindex, ok)
                }
            }
            return
        }
        let r = Self.macs(key).withUnsafeBufferPointer { m in
            withUnsafePointer(to: handle) { sn_offload_put($0, key.ifindex, m.baseAddress, outIfindex, toPeer ? 1 : 0) }
        }
        guard r == 0 else { return }
        entries[key] = entry
        generations[entry.switchIndex] = entry.generation
    }

    /// The kernel's counts since the last fold, entry by entry: `apply` gets each entry
    /// that moved and how many packets and bytes.
    func fold(_ apply: (Entry, Key, UInt64, UInt64) -> Void) {
        for (key, e) in entries {
            var c = sn_offload_counts(packets: 0, bytes: 0)
            let r = Self.macs(key).withUnsafeBufferPointer { m in
                withUnsafePointer(to: handle) { sn_offload_counts($0, key.ifindex, m.baseAddress, &c) }
            }
            guard r == 0, c.packets > e.packets else { continue }
            apply(e, key, c.packets - e.packets, c.bytes &- e.bytes)
            entries[key]!.packets = c.packets
            entries[key]!.bytes = c.bytes
        }
    }

    /// Takes out every entry of switch `index` (fold first: their counts are lost after).
    func removeEntries(ofSwitch index: Int) {
        guard generations[index] != nil else { return }
        for (key, e) in entries where e.switchIndex == index {
            _ = Self.macs(key).withUnsafeBufferPointer { m in
                withUnsafePointer(to: handle) { sn_offload_remove($0, key.ifindex, m.baseAddress) }
            }
            entries[key] = nil
        }
        generations[index] = nil
    }

    /// A port's program is on (`ok`) or cannot be. On the datapath thread.
    func attached(_ ifindex: Int32, ok: Bool) {
        asked.remove(ifindex)
        if ok { attached.insert(ifindex) } else { refused.insert(ifindex) }
    }

    /// Takes the programs off the ports (after any still on the way) and closes the
    /// maps; the kernel forwards nothing for the switches after this.
    func close() {
        attacher.sync {
            for (index, name) in onPorts { try? routes.detachIngressProgram(index: index, name: name) }
            onPorts.removeAll()
        }
        attached.removeAll()
        entries.removeAll()
        generations.removeAll()
        sn_offload_close(&handle)
    }
}

extension FlowTables {
    /// True when every entry matches on nothing but in_port, metadata and the Ethernet
    /// addresses, so a decision holds for every frame with the same in port and addresses.
    var matchesOnlyPortsAndAddresses: Bool {
        for t in 0..<count {
            for e in entries(ofTable: t) {
                for (v, _) in e.match.entries where ![0, 2, 3, 4].contains(v.oxmField) { return false }
            }
        }
        return true
    }
}
