import Foundation
import Glibc
import CShims
import Namespaces
import NIOCore
import OpenFlow

/// Swiftnet's own switch: every `kind: user` switch decides here, and every frame it has
/// not yet decided passes through this process; once a flow is decided, the kernel may
/// forward the rest of it (`FastPath`). Each switch port is a veth end in the run's
/// fabric namespace. One AF_PACKET socket there reads and writes them all: a filter
/// passes it only the ports' frames,
/// each received frame names the interface it came in on, and each sent one the interface
/// it leaves by, so the kernel's work at start and stop does not grow with the ports (a
/// socket per port cost a grace period to open and another to close). The socket uses
/// `PACKET_VNET_HDR`, so each frame carries its virtio-net header: checksum-offloaded and
/// GSO frames (up to 64 KB) pass through whole and TCP works with the hosts' default
/// offloads. One thread serves every port of every switch.
///
/// A switch without a controller is a MAC-learning switch. A switch with one forwards by
/// its OpenFlow flow tables, with an exact-match cache in front of the priority classifier
/// (see `UserDatapath+OpenFlow.swift`); the controller connection runs on a SwiftNIO event
/// loop and hands its messages to this thread, which alone touches the tables.
///
/// Link impairments are applied here, since the frames are ours: `delay`, `jitter`,
/// `loss` and `bw` of a link act on each direction as Mininet's TCLink (netem and HTB on
/// both ends' egress) does, which is how they work on kernels without sch_netem.
///
/// Use: make it with the switches and their ports, `connect(to:on:)` when there is a
/// controller, `start(fabric:indexOf:)`, and `stop()` (also after a failed start).
public final class UserDatapath: @unchecked Sendable {
    /// One port as the datapath sees it.
    struct Port {
        var switchIndex: Int
        var number: Int
        var name: String
        /// The interface's index in the fabric namespace, once started.
        var ifindex: Int32 = 0
        /// The link's shaping, applied to frames leaving through this port.
        var egress: Impairment?
        /// For a port facing a host (not another switch): the link's shaping applied to
        /// frames arriving here, which stands for the host's own egress.
        var ingress: Impairment?
        var counters = PortCounters()
        var isUp = true
        /// The other end is in a host's namespace.
        var facesHost = false
    }

    struct PortCounters: Sendable {
        var rxPackets: UInt64 = 0, rxBytes: UInt64 = 0, txPackets: UInt64 = 0, txBytes: UInt64 = 0
        var rxDropped: UInt64 = 0, txDropped: UInt64 = 0, txErrors: UInt64 = 0
    }

    /// A switch: its ports, MAC table and, with a controller, its OpenFlow state. Only the
    /// datapath thread touches it once the datapath runs (others go through `post`/`sync`).
    final class Switch: @unchecked Sendable {
        let name: String
        let dpid: UInt64
        let failMode: UserSwitchFailMode
        let versions: [OFVersion]
        var ports: [Int] = []
        var portIndex: [UInt32: Int] = [:]
        var macs: [UInt64: (port: Int, seen: UInt64)] = [:]
        var running = true
        let started = UserDatapath.nowNanos()
        // OpenFlow, when a controller is configured.
        var connection: ControllerConnection?
        var version: OFVersion?
        /// True once FEATURES_REPLY went out on the current connection.
        var ready = false
        var everConnected = false
        var tables = FlowTables(count: 4)
        var config = OFSwitchConfig()
        var cache: [ParsedPacket: Decision] = [:]
        var cacheGeneration: UInt64 = .max
        /// Whether every flow entry matches on in_port and MAC addresses alone, as of
        /// `macOnlyGeneration` (the fast path takes decisions only then).
        var macOnly = false
        var macOnlyGeneration: UInt64 = .max
        /// The switch's position in the datapath's list.
        var index = 0
        var role = OFRole.equal
        var generationID: UInt64 = 0
        var packetIns: UInt64 = 0

        init(name: String, dpid: UInt64, failMode: UserSwitchFailMode, versions: [OFVersion]) {
            self.name = name
            self.dpid = dpid
            self.failMode = failMode
            self.versions = versions
        }

        var isOpenFlow: Bool { connection != nil }
        /// True when a flow can expire (the loop then checks every 250 ms).
        var hasTimeouts: Bool { tables.hasTimeouts }
        /// True when the flow tables decide: connected, or disconnected in secure mode.
        var usesFlowTables: Bool { isOpenFlow && (version != nil || failMode == .secure) }
    }

    private(set) var ports: [Port]
    let switches: [Switch]
    /// Whether `start` hands decided flows to the kernel (see `FastPath`); where the
    /// kernel or the privileges do not allow it, every frame passes through this process.
    public var kernelFastPath = true
    /// The kernel fast path, once started with one.
    private(set) var fastPath: FastPath?
    private var nextFold: UInt64 = 0
    private var wake: [Int32] = [-1, -1]
    private var thread: Thread?
    private let lock = NSLock()
    private var stopping = false
    private var inbox: [() -> Void] = []
    private var pending = DelayQueue()
    private var random = FastRandom(seed: UInt64(UInt32(truncatingIfNeeded: getpid())) &* 0x9E37_79B9_7F4A_7C15 | 1)
    /// A buffer for PACKET_OUT data (the receive buffer may hold the frame being forwarded).
    let scratch: UnsafeMutableRawPointer
    private var nextExpiry: UInt64 = 0
    /// The socket every port's frames pass through.
    private var socket: Int32 = -1
    /// The port of each fabric ifindex (-1: not a port); frames from other interfaces are
    /// dropped (they arrive only when the ports' ifindexes were too scattered for a filter).
    private var portOfIfindex: [Int32] = []
    /// Frames waiting to be sent: `txBatch` slots, each with its port.
    private let txPointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let txLengths: UnsafeMutablePointer<Int32>
    private let txIfindexes: UnsafeMutablePointer<Int32>
    private let txPorts: UnsafeMutablePointer<Int>
    private let txSent: UnsafeMutablePointer<UInt8>
    private var txCount = 0
    static let txBatch = Int(SN_PACKET_BATCH)

    static let vnetHeaderSize = FrameBuffer.vnet
    static let bufferSize = 65_536 + vnetHeaderSize
    /// Room for VLAN tags pushed by actions.
    static let headroom = 64

    init(switches: [Switch], ports: [Port]) {
        self.ports = ports
        self.switches = switches
        for (i, sw) in switches.enumerated() { sw.index = i }
        for (i, p) in ports.enumerated() {
            switches[p.switchIndex].ports.append(i)
            switches[p.switchIndex].portIndex[UInt32(p.number)] = i
        }
        scratch = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize + Self.headroom, alignment: 16)
        txPointers = .allocate(capacity: Self.txBatch)
        txLengths = .allocate(capacity: Self.txBatch)
        txIfindexes = .allocate(capacity: Self.txBatch)
        txPorts = .allocate(capacity: Self.txBatch)
        txSent = .allocate(capacity: Self.txBatch)
    }

    deinit {
        scratch.deallocate()
        txPointers.deallocate()
        txLengths.deallocate()
        txIfindexes.deallocate()
        txPorts.deallocate()
        txSent.deallocate()
    }

    /// The datapath of `switches`, with `ports` (each naming its switch by index in
    /// `switches`), in the order the switches list them.
    public convenience init(switches: [UserSwitchSpec], ports: [UserSwitchPort]) {
        self.init(switches: switches.map { Switch(name: $0.name, dpid: $0.dpid, failMode: $0.failMode, versions: $0.versions) },
                  ports: ports.map { Port(switchIndex: $0.switchIndex, number: $0.number, name: $0.name, egress: $0.egress,
                                          ingress: $0.ingress, facesHost: $0.facesHost) })
    }

    /// Gives every switch a connection to `controller` on `loop` (shared by all of them),
    /// which `start` opens. Call before `start`.
    public func connect(to controller: ControllerAddress, on loop: any EventLoop) {
        for sw in switches {
            sw.connection = ControllerConnection(
                controller: controller, versions: sw.versions, loop: loop,
                // Weak both ways: the switch owns its connection, not the other way round.
                onMessage: { [weak self, weak sw] version, frame in
                    guard let self, let sw else { return }
                    self.post { [weak self] in self?.handle(frame, version: version, switch: sw) }
                },
                onState: { [weak self, weak sw] version in
                    guard let self, let sw else { return }
                    self.post { [weak self] in self?.connectionChanged(sw, version: version) }
                })
        }
    }

    /// Opens the ports' socket inside the fabric namespace and starts the thread, and the
    /// controller connections.
    /// - Parameter indexOf: the ifindex of a port's interface in the fabric namespace.
    /// - Throws: `UserSwitchError` (no such interface, a socket that cannot be opened),
    ///   `NamespaceError`.
    public func start(fabric: Int32, indexOf: (String) -> Int32?) throws {
        for i in ports.indices {
            guard let ifindex = indexOf(ports[i].name), ifindex > 0 else { throw UserSwitchError("no interface \(ports[i].name) in the fabric") }
            ports[i].ifindex = ifindex
        }
        let highest = Int(ports.map(\.ifindex).max() ?? 0)
        portOfIfindex = Array(repeating: -1, count: highest + 1)
        for (i, p) in ports.enumerated() { portOfIfindex[Int(p.ifindex)] = Int32(i) }
        let ranges = Self.ranges(of: ports.map(\.ifindex))
        // A queue deep enough for a burst from every port: 256 KB a port, from 32 MB to 256 MB.
        let depth = Int32(min(256 << 20, max(32 << 20, ports.count * (256 << 10))))
        socket = try withNetworkNamespace(fabric) {
            let fd = ranges.withUnsafeBufferPointer { sn_packet_open($0.baseAddress, Int32(ranges.count / 2), depth) }
            guard fd >= 0 else { throw UserSwitchError("cannot open the switch ports' packet socket: \(String(cString: strerror(-fd)))") }
            return fd
        }
        if kernelFastPath, let fp = FastPath(fabric: fabric, ifindexes: ports.map(\.ifindex), attachDone: { [weak self] ifindex, ok in
            self?.post { [weak self] in self?.fastPath?.attached(ifindex, ok: ok) }
        }) {
            if fp.filter(socket: socket) { fastPath = fp } else { fp.close() }
        }
        guard sn_pipe_cloexec(&wake) == 0 else { throw UserSwitchError("pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(wake[0], F_SETFL, fcntl(wake[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(wake[1], F_SETFL, fcntl(wake[1], F_GETFL) | O_NONBLOCK)
        let t = Thread { [self] in self.loop() }
        t.name = "swiftnet-datapath"
        t.stackSize = 1 << 20
        thread = t
        t.start()
        for sw in switches { sw.connection?.start() }
    }

    /// Stops the controller connections and the thread, and closes the sockets. Safe to
    /// call twice, and after a `start` that threw.
    public func stop() {
        for sw in switches { sw.connection?.stop() }
        lock.lock()
        let wasRunning = thread != nil && !stopping
        stopping = true
        lock.unlock()
        if wasRunning {
            var b: UInt8 = 1
            var waited = 0
            while !isFinished {
                // A wake byte every 100 ms, in case one was lost to a full pipe.
                if waited % 100 == 0 { _ = write(wake[1], &b, 1) }
                usleep(1000)
                waited += 1
            }
        }
        lock.lock()
        inbox.removeAll()
        lock.unlock()
        // The kernel forwards nothing more for the switches.
        fastPath?.close()
        fastPath = nil
        if socket >= 0 { close(socket) }
        socket = -1
        for fd in wake where fd >= 0 { close(fd) }
        wake = [-1, -1]
        thread = nil
    }

    private var finished = false
    private var isFinished: Bool { lock.lock(); defer { lock.unlock() }; return finished }

    /// Ifindexes as ranges of consecutive ones, flattened: first, last, first, last, ...
    static func ranges(of indexes: [Int32]) -> [Int32] {
        var out: [Int32] = []
        for x in Set(indexes).sorted() {
            if let last = out.last, last + 1 == x { out[out.count - 1] = x } else { out += [x, x] }
        }
        return out
    }

    // MARK: - Work from other threads

    /// Runs `work` on the datapath thread, after what is already queued.
    func post(_ work: @escaping () -> Void) {
        lock.lock()
        let running = thread != nil && !stopping
        if running { inbox.append(work) }
        lock.unlock()
        guard running else { return }
        var b: UInt8 = 1
        _ = write(wake[1], &b, 1)
    }

    /// Runs `body` on the datapath thread and returns its result (directly when the thread
    /// is not running).
    func sync<T>(_ body: @escaping () -> T) -> T {
        lock.lock()
        let running = thread != nil && !stopping && !finished
        lock.unlock()
        guard running else { return body() }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: T?
        post {
            result = body()
            done.signal()
        }
        if done.wait(timeout: .now() + 10) == .timedOut { return body() }
        return result!
    }

    /// Runs the queued work; false when the datapath is stopping. The stop flag is read
    /// after the wake pipe is drained, so a stop whose wake byte was drained here is seen.
    private func runInbox() -> Bool {
        var buf = [UInt8](repeating: 0, count: 256)
        while read(wake[0], &buf, buf.count) > 0 {}
        lock.lock()
        let work = inbox
        inbox.removeAll()
        let stop = stopping
        lock.unlock()
        if stop { return false }
        // Controller messages may change the tables the kernel's counts are owed to.
        if !work.isEmpty { foldFastPath() }
        for w in work { w() }
        return true
    }

    // MARK: - The loop

    private func loop() {
        let batch = Int(SN_PACKET_BATCH) / 2
        let rx = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: batch)
        let rxLengths = UnsafeMutablePointer<Int32>.allocate(capacity: batch)
        let rxIfindexes = UnsafeMutablePointer<Int32>.allocate(capacity: batch)
        for i in 0..<batch { rx[i] = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize + Self.headroom, alignment: 16) }
        defer {
            for i in 0..<batch { rx[i]!.deallocate() }
            rx.deallocate()
            rxLengths.deallocate()
            rxIfindexes.deallocate()
            lock.lock()
            finished = true
            lock.unlock()
        }
        var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0), pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0)]
        while true {
            var timeout: Int32 = -1
            let now = Self.nowNanos()
            if let due = pending.nextDue {
                timeout = due <= now ? 0 : Int32(min(1000, (due - now + 999_999) / 1_000_000))
            }
            if switches.contains(where: \.hasTimeouts) {
                let t = nextExpiry <= now ? 0 : Int32((nextExpiry - now) / 1_000_000 + 1)
                timeout = timeout < 0 ? t : min(timeout, t)
            }
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if fds[1].revents != 0 {
                fds[1].revents = 0
                if !runInbox() { return }
                flushSends()
                revalidateFastPath()
            }
            if n > 0 && fds[0].revents != 0 {
                fds[0].revents = 0
                drain(rx: rx, lengths: rxLengths, ifindexes: rxIfindexes, batch: batch)
                revalidateFastPath()
            }
            releaseDue()
            if Self.nowNanos() >= nextExpiry {
                nextExpiry = Self.nowNanos() + 250_000_000
                for sw in switches where sw.hasTimeouts { expireFlows(sw) }
                flushSends()
                revalidateFastPath()
                // The kernel's counts onto ports, flows and the MAC tables' ages, now and then.
                if Self.nowNanos() >= nextFold, fastPath != nil {
                    foldFastPath()
                    nextFold = Self.nowNanos() + 1_000_000_000
                }
            }
        }
    }

    /// Reads the waiting frames in batches (recvmmsg), forwards them, and sends what they
    /// produced in batches (sendmmsg); at most eight batches a turn, so that the controller
    /// connections and timers are not kept waiting.
    private func drain(rx: UnsafeMutablePointer<UnsafeMutableRawPointer?>, lengths: UnsafeMutablePointer<Int32>,
                       ifindexes: UnsafeMutablePointer<Int32>, batch: Int) {
        for _ in 0..<8 {
            let n = Int(sn_packet_recv_batch(socket, rx, Int32(Self.bufferSize), lengths, ifindexes, Int32(batch)))
            if n <= 0 { return }
            for i in 0..<n where Int(lengths[i]) > Self.vnetHeaderSize + 14 {
                let ifindex = Int(ifindexes[i])
                guard ifindex > 0, ifindex < portOfIfindex.count, portOfIfindex[ifindex] >= 0 else { continue }
                var frame = FrameBuffer(base: rx[i]!, length: Int(lengths[i]), capacity: Self.bufferSize + Self.headroom)
                forward(&frame, from: Int(portOfIfindex[ifindex]))
            }
            // The receive buffers are reused next: what points into them goes out now.
            flushSends()
            if n < batch { return }
        }
    }

    private func forward(_ frame: inout FrameBuffer, from inPort: Int) {
        let sw = switches[ports[inPort].switchIndex]
        ports[inPort].counters.rxPackets &+= 1
        ports[inPort].counters.rxBytes &+= UInt64(frame.frameLength)
        guard sw.running, ports[inPort].isUp else { ports[inPort].counters.rxDropped &+= 1; return }
        let now = Self.nowNanos()
        var ingressDelay: UInt64 = 0
        if let imp = ports[inPort].ingress {
            if imp.drops(&random) { ports[inPort].counters.rxDropped &+= 1; return }
            ingressDelay = imp.delay(&random)
            if imp.rateBitsPerSecond != nil {
                guard let at = ports[inPort].ingress!.reserve(bits: frame.frameLength * 8, now: now) else {
                    ports[inPort].counters.rxDropped &+= 1
                    return
                }
                ingressDelay = max(ingressDelay, at - now)
            }
        }
        if sw.usesFlowTables {
            forwardByFlows(&frame, switch: sw, from: inPort, now: now, delay: ingressDelay)
        } else {
            learnAndForward(frame, switch: sw, from: inPort, now: now, delay: ingressDelay, standalone: true)
        }
    }

    /// MAC learning: the standalone switch, and OpenFlow's NORMAL output.
    /// `standalone`: the switch's own forwarding (not OpenFlow's NORMAL), whose unicast
    /// decisions the kernel may then take over.
    func learnAndForward(_ frame: FrameBuffer, switch sw: Switch, from inPort: Int, now: UInt64, delay: UInt64, standalone: Bool = false) {
        let dst = Self.mac(frame, at: 0)
        let src = Self.mac(frame, at: 6)
        if src & 0x0100_0000_0000 == 0 && inPort >= 0 {
            // An address that moved: the kernel's decisions for the switch go.
            if let old = sw.macs[src], old.port != inPort, fastPath?.hasEntries(ofSwitch: sw.index) == true { sw.tables.bump() }
            sw.macs[src] = (inPort, now)
        }
        if dst & 0x0100_0000_0000 == 0, let entry = sw.macs[dst], now - entry.seen < 300_000_000_000 {
            if entry.port != inPort {
                output(frame, to: entry.port, now: now, extraDelay: delay)
                if standalone { offerToKernel(frame, switch: sw, from: inPort, to: entry.port, visits: [], delay: delay) }
            }
            return
        }
        for p in sw.ports where p != inPort { output(frame, to: p, now: now, extraDelay: delay) }
    }

    /// Sends a frame out of a port, through the port's impairments.
    func output(_ frame: FrameBuffer, to port: Int, now: UInt64, extraDelay: UInt64) {
        guard ports[port].isUp else { ports[port].counters.txDropped &+= 1; return }
        var delay = extraDelay
        if let imp = ports[port].egress {
            if imp.drops(&random) { ports[port].counters.txDropped &+= 1; return }
            delay += imp.delay(&random)
            if imp.rateBitsPerSecond != nil {
                guard let at = ports[port].egress!.reserve(bits: frame.frameLength * 8, now: now + delay) else {
                    ports[port].counters.txDropped &+= 1
                    return
                }
                delay = at - now
            }
        }
        if delay == 0 && pending.isEmpty {
            enqueue(frame.base, frame.length, port: port)
            return
        }
        if pending.count >= 100_000 { ports[port].counters.txDropped &+= 1; return }
        pending.push(due: now + delay, port: port, bytes: [UInt8](UnsafeRawBufferPointer(start: frame.base, count: frame.length)))
    }

    /// Queues a frame (by reference: its buffer must stay as it is until `flushSends`).
    private func enqueue(_ bytes: UnsafeMutableRawPointer, _ count: Int, port: Int) {
        txPointers[txCount] = bytes
        txLengths[txCount] = Int32(count)
        txIfindexes[txCount] = ports[port].ifindex
        txPorts[txCount] = port
        txCount += 1
        if txCount == Self.txBatch { flushSends() }
    }

    /// Sends every queued frame, whatever its port, in one sendmmsg.
    func flushSends() {
        let count = txCount
        guard count > 0 else { return }
        txCount = 0
        _ = sn_packet_send_batch(socket, txPointers, txLengths, txIfindexes, txSent, Int32(count))
        for i in 0..<count {
            let p = txPorts[i]
            if txSent[i] != 0 {
                ports[p].counters.txPackets &+= 1
                ports[p].counters.txBytes &+= UInt64(Int(txLengths[i]) - Self.vnetHeaderSize)
            } else {
                ports[p].counters.txErrors &+= 1
            }
        }
    }

    private func releaseDue() {
        flushSends()
        let now = Self.nowNanos()
        while let (port, bytes) = pending.popDue(now: now) {
            // Each goes at once: the queue holds pointers, and `bytes` is gone after this turn.
            bytes.withUnsafeBytes { enqueue(UnsafeMutableRawPointer(mutating: $0.baseAddress!), $0.count, port: port) }
            flushSends()
        }
    }

    // MARK: - The kernel fast path

    /// Hands a decision to the kernel when it holds for every frame with the same in port
    /// and addresses and nothing on the way needs this process: both ports up and
    /// unshaped, no delay, no VLAN tag.
    func offerToKernel(_ frame: FrameBuffer, switch sw: Switch, from inPort: Int, to outPort: Int,
                       visits: [(table: Int, index: Int)], delay: UInt64) {
        guard let fp = fastPath, inPort >= 0, delay == 0 else { return }
        let a = ports[inPort], b = ports[outPort]
        guard a.isUp, b.isUp, a.ingress == nil, a.egress == nil, b.ingress == nil, b.egress == nil else { return }
        let type = UInt16(frame.u8(12)) << 8 | UInt16(frame.u8(13))
        guard type != 0x8100, type != 0x88A8, type != 0x9100 else { return }
        let key = FastPath.Key(ifindex: a.ifindex, dst: Self.mac(frame, at: 0), src: Self.mac(frame, at: 6))
        fp.install(key, outIfindex: b.ifindex, toPeer: b.facesHost, portName: a.name,
                   entry: FastPath.Entry(switchIndex: sw.index, inPort: inPort, outPort: outPort, visits: visits,
                                         generation: sw.tables.generation))
    }

    /// Moves what the kernel forwarded onto the ports' counters, the flow entries' and
    /// tables' counters and the MAC table's ages. Flow counts are kept only while the
    /// tables are those the entries were made in (entry indexes change with them).
    func foldFastPath() {
        guard let fp = fastPath, !fp.entries.isEmpty else { return }
        let now = Self.nowNanos()
        fp.fold { e, key, packets, bytes in
            ports[e.inPort].counters.rxPackets &+= packets
            ports[e.inPort].counters.rxBytes &+= bytes
            ports[e.outPort].counters.txPackets &+= packets
            ports[e.outPort].counters.txBytes &+= bytes
            let sw = switches[e.switchIndex]
            guard e.generation == sw.tables.generation else { return }
            if e.visits.isEmpty {
                if sw.macs[key.src] != nil { sw.macs[key.src]!.seen = now }
            } else {
                for v in e.visits {
                    sw.tables.hit(table: v.table, index: v.index, packets: packets, bytes: bytes, now: now)
                    sw.tables.countCached(table: v.table, matched: true, packets: packets)
                }
            }
        }
    }

    /// Takes back the kernel's decisions of every switch whose tables, MAC table or ports
    /// changed since they were made.
    func revalidateFastPath() {
        // After every batch of frames: nothing is allocated unless a switch changed.
        guard let fp = fastPath, fp.generations.contains(where: { switches[$0.key].tables.generation != $0.value }) else { return }
        let stale = fp.generations.filter { switches[$0.key].tables.generation != $0.value }.map(\.key)
        foldFastPath()
        for i in stale { fp.removeEntries(ofSwitch: i) }
    }

    // MARK: - State for the shell and tests

    /// Takes a port down or up (its link went down or up): frames to and from it are dropped.
    public func setPort(named name: String, up: Bool) {
        post { [self] in
            guard let i = ports.firstIndex(where: { $0.name == name }), ports[i].isUp != up else { return }
            ports[i].isUp = up
            // Fast-failover groups watch ports: decisions made with the old state go.
            switches[ports[i].switchIndex].tables.bump()
            portChanged(i)
        }
    }

    /// Replaces a port's shaping while the network runs (`link A B bw=5` in the shell).
    public func reshape(port name: String, egress: Impairment?, ingress: Impairment?) {
        sync { [self] in
            guard let i = ports.firstIndex(where: { $0.name == name }) else { return }
            ports[i].egress = egress
            ports[i].ingress = ingress
            // Shaped frames must pass through here: the kernel's decisions go.
            switches[ports[i].switchIndex].tables.bump()
        }
    }

    func counters(ofPort i: Int) -> PortCounters {
        foldFastPath()
        return ports[i].counters
    }

    static func mac(_ b: FrameBuffer, at o: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<6 { v = v << 8 | UInt64(b.u8(o + i)) }
        return v
    }

    static func nowNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
