import Foundation
import Glibc
import CShims
import Namespaces

/// Swiftnet's own switch: every frame of every `kind: user` switch passes through this
/// process. Each switch port is a veth end in the run's fabric namespace, read and written
/// through an AF_PACKET socket with `PACKET_VNET_HDR`, so each frame carries its
/// virtio-net header: checksum-offloaded and GSO frames (up to 64 KB) pass through whole
/// and TCP works with the hosts' default offloads. One thread serves every port of every
/// switch with poll(2); in standalone mode each switch is a MAC-learning switch.
///
/// Link impairments are applied here, since the frames are ours: `delay`, `jitter`,
/// `loss` and `bw` of a link act on each direction as Mininet's TCLink (netem and HTB on
/// both ends' egress) does, which is how they work on kernels without sch_netem.
final class UserDatapath: @unchecked Sendable {
    /// One port as the datapath sees it.
    struct Port {
        var switchIndex: Int
        var number: Int
        var name: String
        var fd: Int32 = -1
        /// The link's shaping, applied to frames leaving through this port.
        var egress: Impairment?
        /// For a port facing a host (not another switch): the link's shaping applied to
        /// frames arriving here, which stands for the host's own egress.
        var ingress: Impairment?
    }

    private(set) var ports: [Port]
    private let portsOfSwitch: [[Int]]
    private var macTables: [[UInt64: (port: Int, seen: UInt64)]]
    private var wake: [Int32] = [-1, -1]
    private var thread: Thread?
    private let lock = NSLock()
    private var stopping = false
    private var pending = DelayQueue()
    private var random = FastRandom(seed: UInt64(UInt32(truncatingIfNeeded: getpid())) &* 0x9E37_79B9_7F4A_7C15 | 1)
    /// Counters: frames received, sent, dropped by impairments or full queues.
    private(set) var received = 0, sent = 0, dropped = 0

    static let vnetHeaderSize = 10
    static let bufferSize = 65_536 + vnetHeaderSize

    init(switches: Int, ports: [Port]) {
        self.ports = ports
        var per = [[Int]](repeating: [], count: switches)
        for (i, p) in ports.enumerated() { per[p.switchIndex].append(i) }
        portsOfSwitch = per
        macTables = Array(repeating: [:], count: switches)
    }

    /// Opens every port's socket inside the fabric namespace and starts the thread.
    /// - Parameter indexOf: the ifindex of a port's interface in the fabric namespace.
    func start(fabric: Int32, indexOf: (String) -> Int32?) throws {
        for i in ports.indices {
            guard let ifindex = indexOf(ports[i].name) else { throw NetworkError("no interface \(ports[i].name) in the fabric") }
            ports[i].fd = try withNetworkNamespace(fabric) { try Self.openPort(ifindex: ifindex, name: ports[i].name) }
        }
        guard sn_pipe_cloexec(&wake) == 0 else { throw NetworkError("pipe: \(String(cString: strerror(errno)))") }
        let t = Thread { [self] in self.loop() }
        t.name = "swiftnet-datapath"
        t.stackSize = 1 << 20
        thread = t
        t.start()
    }

    /// Stops the thread and closes the sockets. Safe to call twice.
    func stop() {
        lock.lock()
        let wasRunning = thread != nil && !stopping
        stopping = true
        lock.unlock()
        if wasRunning {
            var b: UInt8 = 1
            _ = write(wake[1], &b, 1)
            while !isFinished { usleep(1000) }
        }
        for p in ports where p.fd >= 0 { close(p.fd) }
        for i in ports.indices { ports[i].fd = -1 }
        for fd in wake where fd >= 0 { close(fd) }
        wake = [-1, -1]
        thread = nil
    }

    private var finished = false
    private var isFinished: Bool { lock.lock(); defer { lock.unlock() }; return finished }

    static func openPort(ifindex: Int32, name: String) throws -> Int32 {
        let fd = sn_packet_open(ifindex)
        guard fd >= 0 else { throw NetworkError("cannot open a packet socket on \(name): \(String(cString: strerror(-fd)))") }
        return fd
    }

    // MARK: - The loop

    private func loop() {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        defer {
            buffer.deallocate()
            lock.lock()
            finished = true
            lock.unlock()
        }
        var fds = ports.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        fds.append(pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0))
        while true {
            var timeout: Int32 = -1
            if let due = pending.nextDue {
                let now = Self.nowNanos()
                timeout = due <= now ? 0 : Int32(min(1000, (due - now + 999_999) / 1_000_000))
            }
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if fds[fds.count - 1].revents != 0 { return }
            if n > 0 {
                for k in 0..<(fds.count - 1) where fds[k].revents != 0 {
                    fds[k].revents = 0
                    drain(port: k, buffer: buffer)
                }
            }
            releaseDue()
        }
    }

    /// Reads every frame waiting on a port (up to 64 at a time, so that no port starves).
    private func drain(port k: Int, buffer: UnsafeMutableRawPointer) {
        for _ in 0..<64 {
            let n = recv(ports[k].fd, buffer, Self.bufferSize, Int32(MSG_DONTWAIT))
            if n <= Self.vnetHeaderSize + 14 { return }
            received += 1
            forward(UnsafeMutableRawBufferPointer(start: buffer, count: n), from: k)
        }
    }

    private func forward(_ frame: UnsafeMutableRawBufferPointer, from inPort: Int) {
        let eth = Self.vnetHeaderSize
        let dst = Self.mac(frame, at: eth)
        let src = Self.mac(frame, at: eth + 6)
        let sw = ports[inPort].switchIndex
        let now = Self.nowNanos()
        if src & 0x0100_0000_0000 == 0 { macTables[sw][src] = (inPort, now) }
        var ingressDelay: UInt64 = 0
        if let imp = ports[inPort].ingress {
            if imp.drops(&random) { dropped += 1; return }
            ingressDelay = imp.delay(&random)
            if imp.rateBitsPerSecond != nil {
                guard let at = ports[inPort].ingress!.reserve(bits: (frame.count - eth) * 8, now: now) else { dropped += 1; return }
                ingressDelay = max(ingressDelay, at - now)
            }
        }
        if dst & 0x0100_0000_0000 == 0, let entry = macTables[sw][dst], now - entry.seen < 300_000_000_000 {
            if entry.port != inPort { output(frame, to: entry.port, now: now, extraDelay: ingressDelay) }
            return
        }
        for p in portsOfSwitch[sw] where p != inPort { output(frame, to: p, now: now, extraDelay: ingressDelay) }
    }

    private func output(_ frame: UnsafeMutableRawBufferPointer, to port: Int, now: UInt64, extraDelay: UInt64) {
        var delay = extraDelay
        if let imp = ports[port].egress {
            if imp.drops(&random) { dropped += 1; return }
            delay += imp.delay(&random)
            if imp.rateBitsPerSecond != nil {
                guard let at = ports[port].egress!.reserve(bits: (frame.count - Self.vnetHeaderSize) * 8, now: now + delay) else {
                    dropped += 1
                    return
                }
                delay = at - now
            }
        }
        if delay == 0 && pending.isEmpty {
            if send(ports[port].fd, frame.baseAddress, frame.count, Int32(MSG_DONTWAIT)) >= 0 { sent += 1 } else { dropped += 1 }
            return
        }
        if pending.count >= 100_000 { dropped += 1; return }
        pending.push(due: now + delay, port: port, bytes: [UInt8](frame))
    }

    private func releaseDue() {
        let now = Self.nowNanos()
        while let (port, bytes) = pending.popDue(now: now) {
            let r = bytes.withUnsafeBytes { send(ports[port].fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if r >= 0 { sent += 1 } else { dropped += 1 }
        }
    }

    static func mac(_ b: UnsafeMutableRawBufferPointer, at o: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<6 { v = v << 8 | UInt64(b[o + i]) }
        return v
    }

    static func nowNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
