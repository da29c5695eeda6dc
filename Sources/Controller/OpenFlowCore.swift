import Foundation
import NIOCore
import NIOPosix
import OpenFlow

/// One switch connected to the controller. Touched only on the core's event loop.
public final class SwitchConnection: @unchecked Sendable {
    public internal(set) var dpid: UInt64 = 0
    public internal(set) var version: OFVersion = .v1_3
    /// The switch's ports by number (PORT_DESC, then PORT_STATUS).
    public internal(set) var ports: [UInt32: OFPortDesc] = [:]
    public internal(set) var ready = false
    /// The FEATURES reply it gave.
    public internal(set) var features: OFFeatures?
    public let connectedAt = Date()
    /// The role the switch last said it gives this controller (ROLE_REPLY, 1.3 only; or
    /// SLAVE once it refused a message with IS_SLAVE): nil until it says. As its slave the
    /// controller sends it nothing that changes it.
    public internal(set) var role: UInt32?
    /// The control channel's round trip (ECHO), once measured.
    public internal(set) var echoRoundTrip: TimeAmount?
    let channel: any Channel
    unowned let core: OpenFlowCore
    var negotiated = false
    var lastHeard = NIODeadline.now()
    private var nextXID: UInt32 = 1
    /// Requests waiting for their replies, by transaction id.
    var pending: [UInt32: (replies: [OFStatsReply], promise: EventLoopPromise<[OFStatsReply]>)] = [:]
    /// ECHO requests waiting for their replies, by transaction id: when sent, and what to
    /// run when the reply comes (every message the switch sent before it has been read).
    var echoes: [UInt32: (sent: NIODeadline, then: (() -> Void)?)] = [:]
    /// Written but not yet flushed (see `OpenFlowCore.write`).
    var unflushed = false

    init(channel: any Channel, core: OpenFlowCore) {
        self.channel = channel
        self.core = core
    }

    /// Sends a message in the connection's version; false when it cannot be said in it,
    /// or when it would change the switch and this controller is on standby.
    @discardableResult
    public func send(_ message: OFMessage) -> Bool { sendWithXID(message) != nil }

    /// Sends a message; its transaction id, nil when it cannot be said in this version
    /// (or is held back on standby). The write is flushed with the others of the read
    /// batch or task that made it (`OpenFlowCore.write`).
    func sendWithXID(_ message: OFMessage) -> UInt32? {
        if message.changesSwitch && (core.role == .standby || role == OFRole.slave) {
            core.counters.add(core.name, "messages held on standby")
            return nil
        }
        nextXID &+= 1
        guard let bytes = try? message.encode(version: version, xid: nextXID) else { return nil }
        core.write(bytes, on: self)
        return nextXID
    }

    /// Sends ECHO_REQUEST; `then` runs when its reply arrives, after everything the switch
    /// sent before it (TCP keeps the order). The round trip is kept in `echoRoundTrip`.
    public func echo(then: (() -> Void)? = nil) {
        guard let xid = sendWithXID(.echoRequest([])) else { return }
        echoes[xid] = (.now(), then)
    }

    /// Asks the switch for statistics; the future has every part of the reply (a
    /// multipart reply is gathered), or fails on an ERROR, a closed connection or after
    /// `timeout`. Call on the core's loop.
    public func request(_ stats: OFStatsRequest, timeout: TimeAmount = .seconds(3)) -> EventLoopFuture<[OFStatsReply]> {
        let promise = channel.eventLoop.makePromise(of: [OFStatsReply].self)
        guard let xid = sendWithXID(.statsRequest(stats)) else {
            promise.fail(StatsRequestError(reason: "the request cannot be said in OpenFlow \(version == .v1_3 ? "1.3" : "1.0")"))
            return promise.futureResult
        }
        pending[xid] = ([], promise)
        channel.eventLoop.scheduleTask(in: timeout) { [weak self] in
            self?.finish(xid, .failure(StatsRequestError(reason: "no reply within \(timeout.nanoseconds / 1_000_000) ms")))
        }
        return promise.futureResult
    }

    func finish(_ xid: UInt32, _ result: Result<[OFStatsReply], any Error>) {
        guard let p = pending.removeValue(forKey: xid) else { return }
        p.promise.completeWith(result)
    }

    /// The switch's physical ports that are up, in number order.
    public var livePorts: [UInt32] {
        ports.values.filter { $0.portNo.rawValue < 0xFFFF_FF00 && $0.config & OFPortDesc.configPortDown == 0 && $0.state & OFPortDesc.stateLinkDown == 0 }
            .map(\.portNo.rawValue).sorted()
    }

    public var dpidText: String { Self.text(dpid) }

    /// Why a statistics request got no answer.
    public struct StatsRequestError: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// A datapath id as Floodlight writes it: "00:00:00:00:00:00:00:01".
    public static func text(_ dpid: UInt64) -> String {
        (0..<8).map { String(format: "%02x", UInt8(truncatingIfNeeded: dpid >> (56 - 8 * $0))) }.joined(separator: ":")
    }
}

/// What modules hear from the OpenFlow core, on its event loop, in load order.
public protocol OpenFlowListener: AnyObject {
    func switchReady(_ sw: SwitchConnection)
    func switchGone(_ sw: SwitchConnection)
    /// True when the listener dealt with the packet (later listeners do not see it).
    func packetIn(_ packet: OFPacketIn, from sw: SwitchConnection) -> Bool
    func portChanged(_ status: OFPortStatus, on sw: SwitchConnection)
}

public extension OpenFlowListener {
    func switchReady(_ sw: SwitchConnection) {}
    func switchGone(_ sw: SwitchConnection) {}
    func packetIn(_ packet: OFPacketIn, from sw: SwitchConnection) -> Bool { false }
    func portChanged(_ status: OFPortStatus, on sw: SwitchConnection) {}
}

extension OFMessage {
    /// True for what changes a switch's tables or sends packets: what a controller on
    /// standby (an OpenFlow slave) must not send.
    var changesSwitch: Bool {
        switch self {
        case .flowMod, .packetOut, .groupMod, .meterMod: true
        default: false
        }
    }
}

/// A controller's part in a team of controllers (Floodlight's HA role): ACTIVE claims
/// every OpenFlow 1.3 switch as its MASTER; STANDBY tells them it is a SLAVE, and sends
/// nothing that changes a switch.
public enum ControllerRole: String, Sendable, CaseIterable {
    case active = "ACTIVE"
    case standby = "STANDBY"

    /// A role as a request names it: ACTIVE or STANDBY, or the older MASTER, EQUAL
    /// (both ACTIVE) and SLAVE (STANDBY), in any case.
    public init?(text: String) {
        switch text.uppercased() {
        case "ACTIVE", "MASTER", "EQUAL": self = .active
        case "STANDBY", "SLAVE": self = .standby
        default: return nil
        }
    }
}

/// The OpenFlow core module: listens for switches (TCP), runs the handshake of each
/// (HELLO with the version settled, FEATURES, SET_CONFIG, PORT_DESC, a table-miss flow to
/// the controller in 1.3), answers and sends ECHO keepalives, and hands packet-ins, port
/// changes and switches coming and going to the listeners. One event loop serves every
/// switch. A message it cannot decode gets an ERROR back; a byte stream it cannot frame
/// closes that connection only.
public final class OpenFlowCore: ControllerModule, @unchecked Sendable {
    public let name = "openflow-core"
    public let provides: [ServiceName] = ["openflow"]
    public let needs: [ServiceName] = []

    public static let versions: [OFVersion] = [.v1_0, .v1_3]
    /// With nothing heard for this long a switch gets ECHO_REQUEST; after three times as
    /// long its connection is closed.
    public static let probeInterval = TimeAmount.seconds(5)

    public let loop: any EventLoop
    public let counters: DebugCounters
    private let host: String
    private let requestedPort: Int
    private var server: (any Channel)?
    private var probe: RepeatedTask?
    // On `loop`.
    private var listeners: [OpenFlowListener] = []
    private var connections: [ObjectIdentifier: SwitchConnection] = [:]
    /// Ready switches by datapath id.
    public private(set) var switches: [UInt64: SwitchConnection] = [:]
    /// The TCP port it listens on, once started.
    public private(set) var port = 0
    /// This controller's role (on the loop); change it with `setRole`.
    public private(set) var role: ControllerRole
    /// Why and when the role last changed (Floodlight's role-change description and time).
    public private(set) var roleChange = (description: "the controller started", at: Date())
    /// The generation id of the last role claimed (a time in microseconds, so a later
    /// claim by another controller on the same machine is newer).
    public private(set) var generationID: UInt64 = 0
    /// Connections written to and not yet flushed.
    private var unflushed: [SwitchConnection] = []
    private var flushQueued = false

    /// - Parameters: `port` 0 for one the kernel picks.
    public init(loop: any EventLoop, host: String = "127.0.0.1", port: Int = 0, counters: DebugCounters, role: ControllerRole = .active) {
        self.loop = loop
        self.host = host
        self.requestedPort = port
        self.counters = counters
        self.role = role
    }

    /// Writes `bytes` to a switch. Writes are flushed together: at the end of the read
    /// batch that caused them, or after the task that made them, so one packet-in's flows
    /// to many switches, or a round of LLDP out of every port, costs one system call per
    /// switch instead of one per message.
    func write(_ bytes: [UInt8], on c: SwitchConnection) {
        c.channel.write(c.channel.allocator.buffer(bytes: bytes), promise: nil)
        guard !c.unflushed else { return }
        c.unflushed = true
        unflushed.append(c)
        if !flushQueued {
            flushQueued = true
            loop.execute { [self] in flushAll() }
        }
    }

    fileprivate func flushAll() {
        flushQueued = false
        for c in unflushed {
            c.unflushed = false
            c.channel.flush()
        }
        unflushed.removeAll(keepingCapacity: true)
    }

    /// Changes the controller's role (on the loop): every OpenFlow 1.3 switch is told
    /// (ROLE_REQUEST MASTER or SLAVE, with a new generation id); on becoming ACTIVE every
    /// switch is taken over as if it had just connected (table-miss flow, then the
    /// modules' `switchReady`: link discovery probes, static flows go back).
    public func setRole(_ new: ControllerRole, description: String) {
        let old = role
        role = new
        roleChange = (description, Date())
        counters.add(name, "role changes")
        for c in switches.values.sorted(by: { $0.dpid < $1.dpid }) {
            claimRole(c)
            if new == .active && old == .standby { takeOver(c) }
        }
    }

    private func claimRole(_ c: SwitchConnection) {
        guard c.version == .v1_3 else { return }
        generationID = max(generationID &+ 1, UInt64(Date().timeIntervalSince1970 * 1_000_000))
        let wanted = role == .active ? OFRole.master : OFRole.slave
        c.send(.roleRequest(OFRole(role: wanted, generationID: generationID)))
        counters.add(name, "role requests sent")
    }

    /// What a switch gets once ready, or when this controller becomes ACTIVE.
    private func takeOver(_ c: SwitchConnection) {
        if c.version == .v1_3 {
            // Table miss: to the controller, whole (1.3 drops a miss otherwise).
            c.send(.flowMod(OFFlowMod(priority: 0, instructions: [.applyActions([.output(port: .controller, maxLen: 0xFFFF)])])))
        }
        for l in listeners { l.switchReady(c) }
    }

    /// Registers a listener; call from a module's `initialise` (listeners hear in that order).
    public func addListener(_ l: OpenFlowListener) { listeners.append(l) }

    public func initialise(_ context: ModuleContext) throws {}

    public func start(_ context: ModuleContext) throws {
        let bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(CoreChannelHandler(core: self))
                }
            }
        let ch = try bootstrap.bind(host: host, port: requestedPort).wait()
        server = ch
        port = ch.localAddress?.port ?? requestedPort
        probe = loop.scheduleRepeatedTask(initialDelay: Self.probeInterval, delay: Self.probeInterval) { [weak self] _ in
            self?.checkAlive()
        }
    }

    /// Closes the listening socket and every switch's connection; returns once done.
    public func stop() {
        probe?.cancel()
        probe = nil
        try? server?.close().wait()
        server = nil
        let done = loop.submit { [self] in for c in connections.values { c.channel.close(promise: nil) } }
        _ = try? done.wait()
    }

    /// Runs `body` on the loop and returns its result.
    public func onLoop<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T? {
        try? loop.submit(body).wait()
    }

    private func checkAlive() {
        let now = NIODeadline.now()
        for c in connections.values {
            let quiet = now - c.lastHeard
            if quiet >= Self.probeInterval * 3 {
                counters.add(name, "connections timed out")
                c.channel.close(promise: nil)
            } else if quiet >= Self.probeInterval && c.negotiated {
                c.echo()
                counters.add(name, "echo requests sent")
            }
        }
    }

    // MARK: - From the channel handler, on the loop

    fileprivate func active(_ ch: any Channel) {
        let c = SwitchConnection(channel: ch, core: self)
        connections[ObjectIdentifier(ch)] = c
        if let bytes = try? OFMessage.hello(OFHello(supporting: Self.versions)).encode(version: .v1_3, xid: 0) {
            ch.writeAndFlush(ch.allocator.buffer(bytes: bytes), promise: nil)
        }
        counters.add(name, "connections")
    }

    fileprivate func inactive(_ ch: any Channel) {
        guard let c = connections.removeValue(forKey: ObjectIdentifier(ch)) else { return }
        for xid in Array(c.pending.keys) {
            c.finish(xid, .failure(SwitchConnection.StatsRequestError(reason: "the switch disconnected")))
        }
        if c.ready, switches[c.dpid] === c {
            switches[c.dpid] = nil
            for l in listeners { l.switchGone(c) }
            counters.add(name, "switches gone")
        }
    }

    fileprivate func received(_ frame: OFFrame, on ch: any Channel) {
        guard let c = connections[ObjectIdentifier(ch)] else { return }
        c.lastHeard = .now()
        guard c.negotiated else {
            let message = try? frame.decode()
            guard let message, let v = OFVersion.negotiate(ours: Self.versions, hello: message) else {
                counters.add(name, "handshakes refused")
                let reply = OFMessage.error(OFErrorMessage(type: OFErrorType.helloFailed, code: OFHelloFailedCode.incompatible,
                                                           data: Array("swiftnet's controller speaks OpenFlow 1.0 and 1.3".utf8)))
                if let bytes = try? reply.encode(version: OFVersion(rawValue: frame.header.version) ?? .v1_0, xid: frame.header.xid) {
                    ch.writeAndFlush(ch.allocator.buffer(bytes: bytes), promise: nil)
                }
                ch.close(promise: nil)
                return
            }
            c.version = v
            c.negotiated = true
            c.send(.featuresRequest)
            return
        }
        let message: OFMessage
        do {
            message = try frame.decode()
        } catch let error {
            counters.add(name, "undecodable messages")
            c.send(.error(OFErrorMessage(decoding: error, request: frame.bytes, version: c.version)))
            return
        }
        switch message {
        case .echoRequest(let data):
            if let bytes = try? OFMessage.echoReply(data).encode(version: c.version, xid: frame.header.xid) {
                write(bytes, on: c)
            }
        case .echoReply:
            if let e = c.echoes.removeValue(forKey: frame.header.xid) {
                c.echoRoundTrip = .now() - e.sent
                e.then?()
            }
        case .roleReply(let r):
            c.role = r.role
            counters.add(name, "role replies")
        case .featuresReply(let f):
            guard !c.ready, c.dpid == 0 else { return }
            c.dpid = f.datapathID
            c.features = f
            for p in f.ports { c.ports[p.portNo.rawValue] = p }
            c.send(.setConfig(OFSwitchConfig(flags: 0, missSendLen: 0xFFFF)))
            if c.version == .v1_0 {
                becomeReady(c)
            } else {
                c.send(.statsRequest(.portDesc))
            }
        case .statsReply(let reply, let flags) where c.pending[frame.header.xid] != nil:
            c.pending[frame.header.xid]!.replies.append(reply)
            if flags & 1 == 0 { c.finish(frame.header.xid, .success(c.pending[frame.header.xid]!.replies)) }
        case .statsReply(.portDesc(let ports), let flags):
            for p in ports { c.ports[p.portNo.rawValue] = p }
            if flags & 1 == 0 && !c.ready && c.dpid != 0 { becomeReady(c) }
        case .packetIn(let p):
            guard c.ready else { return }
            counters.add(name, "packet-ins")
            for l in listeners where l.packetIn(p, from: c) { break }
        case .portStatus(let s):
            c.ports[s.desc.portNo.rawValue] = s.reason == OFPortStatus.reasonDelete ? nil : s.desc
            counters.add(name, "port-status messages")
            guard c.ready else { return }
            for l in listeners { l.portChanged(s, on: c) }
        case .error(let e):
            counters.add(name, "errors from switches")
            if e.type == 11 { counters.add(name, "role requests refused") }  // OFPET_ROLE_REQUEST_FAILED
            if e.type == OFErrorType.badRequest && e.code == 10 && c.role != OFRole.slave {
                // OFPBRC_IS_SLAVE: another controller claimed the switch (OpenFlow 1.3 says
                // so to nobody); it is treated as this controller's slave until claimed again.
                c.role = OFRole.slave
                counters.add(name, "switches lost to another master")
            }
            c.finish(frame.header.xid, .failure(SwitchConnection.StatsRequestError(reason: "the switch answered with error type \(e.type) code \(e.code)")))
        default:
            break
        }
    }

    private func becomeReady(_ c: SwitchConnection) {
        // A second connection from a datapath id replaces the first (as Floodlight does).
        if let old = switches[c.dpid], old !== c {
            switches[c.dpid] = nil
            for l in listeners { l.switchGone(old) }
            old.channel.close(promise: nil)
        }
        c.ready = true
        switches[c.dpid] = c
        counters.add(name, "switches connected")
        claimRole(c)
        takeOver(c)
    }
}

/// Cuts one switch's byte stream into messages for the core.
private final class CoreChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let core: OpenFlowCore
    private var framer = OFFramer()

    init(core: OpenFlowCore) { self.core = core }

    func channelActive(context: ChannelHandlerContext) { core.active(context.channel) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let bytes = buffer.readBytes(length: buffer.readableBytes) { framer.append(bytes) }
        do {
            while let frame = try framer.pop() { core.received(frame, on: context.channel) }
        } catch {
            core.counters.add(core.name, "unframeable streams")
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) { core.flushAll() }

    func channelInactive(context: ChannelHandlerContext) { core.inactive(context.channel) }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
