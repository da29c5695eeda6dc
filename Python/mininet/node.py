"""Mininet's nodes: hosts, switches and controllers.

A node here is a handle on a node of the network swiftnet's engine runs: ``cmd()`` runs
in the node's persistent bash (its directory, variables and ``&`` jobs persist),
``popen()`` starts a program in the node as a local process (``swiftnet exec``) whose
output can be read and polled. Nodes are made by a ``Mininet`` object (``net.addHost``,
a ``Topo``); one made by hand outside a network cannot run anything.
"""

import atexit
import os
import re
import select
import subprocess
import threading
import time

from mininet._errors import MininetError, Unsupported
from mininet.log import debug, info, warn
from mininet.util import decode, quietRun


class Node(object):
    """A host-like node: a network namespace of its own, with a persistent shell."""

    portBase = 0
    outToNode = {}
    inToNode = {}
    isSetup = False

    def __init__(self, name, inNamespace=True, **params):
        if not params.get('inNamespace', inNamespace) and not isinstance(self, (Switch, Controller)):
            raise Unsupported("a node in the machine's own network namespace (%s, inNamespace=False)" % name,
                              "emulated hosts never reach the machine's network; give every host its own namespace")
        self.name = params.get('name', name)
        self.privateDirs = params.get('privateDirs', [])
        self.inNamespace = params.get('inNamespace', inNamespace)
        self.params = params
        self.intfs = {}
        self.ports = {}
        self.nameToIntf = {}
        self.net = None
        self.waiting = False
        self.readbuf = ''
        self.lastCmd = None
        self.lastPid = None
        self.execed = False
        self.shell = None
        self.stdin = None
        self._pipe = None
        self._idlePump = None
        self._sending = None
        self._applied = {}

    # The network this node belongs to.

    def _api(self):
        if self.net is None:
            raise Unsupported('a node made outside a Mininet object (%s)' % self.name,
                              'make nodes with net.addHost() and net.addSwitch() of a Mininet object')
        return self.net._live_api()

    @classmethod
    def checkSetup(cls):
        pass

    @classmethod
    def setup(cls):
        pass

    @property
    def pid(self):
        """The pid of the node's persistent shell."""
        return self._api().call('GET', '/v1/nodes/%s/pid' % self.name).get('pid')

    # Commands.

    @staticmethod
    def _text(args):
        if len(args) == 1 and isinstance(args[0], list):
            args = args[0]
        return ' '.join(str(a) for a in args)

    def cmd(self, *args, **kwargs):
        """Runs a command line in the node's shell; returns what it printed."""
        verbose = kwargs.get('verbose', False)
        text = self._text(args)
        if self.waiting:
            raise MininetError('%s.cmd(%r): %s is still running %r (sendCmd); call waitOutput() first'
                               % (self.name, text, self.name, self.lastCmd))
        self._checkCommand(text)
        (info if verbose else debug)('*** %s : %s\n' % (self.name, text))
        self.lastCmd = text
        out = self._api().call('POST', '/v1/nodes/%s/exec' % self.name, {'shell': text}).get('stdout', '')
        if verbose:
            info(out)
        return out

    def cmdPrint(self, *args):
        return self.cmd(*args, verbose=True)

    def _checkCommand(self, text):
        pass

    @property
    def stdout(self):
        """A file that receives what the node's shell prints: the output of what
        sendCmd() runs and, once a script has asked for this file, of the shell's `&`
        jobs between commands (for poll(); see ``Node.outToNode``)."""
        self._outPipe()
        if self._idlePump is None:
            self._startIdlePump()
        return self._pipe[0]

    def _outPipe(self):
        if self._pipe is None:
            r, w = os.pipe()
            self._pipe = (os.fdopen(r, 'rb', buffering=0), w)
            Node.outToNode[r] = self
        return self._pipe

    def _startIdlePump(self):
        """Copies what the shell prints while no command runs into the pipe, as long as
        the network runs."""
        api, write, path = self._api(), self._pipe[1], '/v1/nodes/%s/output' % self.name

        def pump():
            try:
                for message in api.stream(path, None, method='GET'):
                    piece = message.get('stdout')
                    if piece:
                        os.write(write, piece.encode())
            except (MininetError, OSError):
                pass  # the network has stopped

        self._idlePump = threading.Thread(target=pump, daemon=True)
        self._idlePump.start()

    def sendCmd(self, *args, **kwargs):
        """Starts a command in the node's shell and returns at once; waitOutput() and
        monitor() read what it prints."""
        text = self._text(args)
        if self.waiting:
            raise MininetError('%s.sendCmd(%r): %s is still running %r' % (self.name, text, self.name, self.lastCmd))
        self._checkCommand(text)
        write = self._outPipe()[1]  # the pipe the output goes to
        api = self._api()
        self.lastCmd = text
        self.waiting = True
        state = {'holder': {}, 'done': threading.Event()}

        def pump():
            try:
                for message in api.stream('/v1/nodes/%s/exec' % self.name, {'shell': text, 'stream': True},
                                          holder=state['holder']):
                    piece = message.get('stdout') or message.get('stderr')
                    if piece:
                        os.write(write, piece.encode())
            except MininetError as e:
                os.write(write, ('*** %s\n' % e).encode())
            finally:
                state['done'].set()

        thread = threading.Thread(target=pump, daemon=True)
        self._sending = (thread, state)
        thread.start()

    def _readAvailable(self, timeout):
        fd = self._outPipe()[0].fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return ''
        return decode(os.read(fd, 65536))

    def monitor(self, timeoutms=None, findPid=True):
        """What the sendCmd() command printed since the last call (waits up to timeoutms
        for something; None: until something comes or it ends)."""
        if self._sending is None:
            return self._readAvailable(0 if timeoutms is None else timeoutms / 1000.0)
        thread, state = self._sending
        timeout = None if timeoutms is None else timeoutms / 1000.0
        out = ''
        while True:
            piece = self._readAvailable(0.05 if timeout is None else min(timeout, 0.05))
            out += piece
            if state['done'].is_set():
                out += self._readAvailable(0)
                thread.join()
                self._sending = None
                self.waiting = False
                return out
            if out or (timeout is not None and timeout <= 0.05):
                return out
            if timeout is not None:
                timeout -= 0.05

    def waitOutput(self, verbose=False, findPid=True):
        """Waits for the sendCmd() command to end; returns what it printed."""
        out = ''
        while self.waiting:
            piece = self.monitor(findPid=findPid)
            if verbose:
                info(piece)
            out += piece
        return out

    def waitReadable(self, timeoutms=None):
        fd = self._outPipe()[0].fileno()
        ready, _, _ = select.select([fd], [], [], None if timeoutms is None else timeoutms / 1000.0)
        return ready

    def sendInt(self, intr=None):
        """Interrupts the sendCmd() command (Ctrl-C)."""
        if self._sending is None:
            return
        thread, state = self._sending
        holder = state['holder']
        holder['interrupted'] = True
        # The request may not be under way yet: wait for its connection (or its end).
        deadline = time.time() + 2
        while time.time() < deadline and not state['done'].is_set():
            connection = holder.get('connection')
            if connection is not None and connection.sock is not None and holder.get('sent'):
                try:
                    connection.sock.shutdown(2)
                except OSError:
                    pass
                return
            time.sleep(0.01)

    def write(self, data):
        raise Unsupported('%s.write() (typing into the node shell)' % self.name,
                          'run commands with cmd() or sendCmd(), or programs with popen()')

    def popen(self, *args, **kwargs):
        """Starts a program in the node as a local process: a subprocess.Popen whose
        stdout and stderr are pipes (poll them, or use pmonitor). Killing it kills the
        program in the node."""
        defaults = {'stdout': subprocess.PIPE, 'stderr': subprocess.PIPE, 'stdin': subprocess.DEVNULL}
        defaults.update(kwargs)
        shell = defaults.pop('shell', False)
        defaults.pop('mncmd', None)
        if len(args) == 1:
            given = args[0]
            if isinstance(given, (list, tuple)):
                argv = list(given)
            elif shell:
                argv = [given]
            else:
                argv = given.split()
        else:
            argv = list(args)
        argv = [str(a) for a in argv]
        if shell:
            argv = ['bash', '-c', ' '.join(argv)]
        self._api()  # built first, if it was not yet
        engine = self.net._engine
        command = [engine_binary(), 'exec', engine.run, self.name, '--'] + argv
        if len(argv) == 1:
            # `swiftnet exec` reads a single argument as a command line for sh -c.
            command[-1:] = ['sh', '-c', 'exec "$0"', argv[0]] if ' ' not in argv[0] else argv
        self.lastPid = None
        return subprocess.Popen(command, **defaults)

    def pexec(self, *args, **kwargs):
        """Runs a program in the node; returns (stdout, stderr, exit status)."""
        popen = self.popen(*args, **kwargs)
        out, err = popen.communicate()
        return decode(out) or '', decode(err) or '', popen.returncode

    def terminate(self):
        """The engine stops the node's processes with the network."""

    def stop(self, deleteIntfs=False):
        pass

    def cleanup(self):
        pass

    # Interfaces.

    def newPort(self):
        if self.ports:
            return max(self.ports.values()) + 1
        return self.portBase

    def addIntf(self, intf, port=None, moveIntfFn=None):
        if port is None:
            port = self.newPort()
        self.intfs[port] = intf
        self.ports[intf] = port
        self.nameToIntf[intf.name] = intf

    def delIntf(self, intf):
        port = self.ports.pop(intf, None)
        if port is not None:
            self.intfs.pop(port, None)
        self.nameToIntf.pop(intf.name, None)

    def defaultIntf(self):
        if self.intfs:
            return self.intfs[min(self.intfs)]
        warn('*** defaultIntf: warning:', self.name, 'has no interfaces\n')
        return None

    def intf(self, intf=None):
        if not intf:
            return self.defaultIntf()
        if isinstance(intf, str):
            return self.nameToIntf[intf]
        return intf

    def connectionsTo(self, node):
        found = []
        for intf in self.intfList():
            link = intf.link
            if link:
                other = link.intf2 if link.intf1 is intf else link.intf1
                if other.node is node:
                    found.append((intf, other))
        return found

    def deleteIntfs(self, checkName=True):
        pass

    def intfList(self):
        return [self.intfs[p] for p in sorted(self.intfs)]

    def intfNames(self):
        return [str(i) for i in self.intfList()]

    def intfIsUp(self, intf=None):
        i = self.intf(intf)
        return i.isUp() if i else False

    # Addresses and routes.

    def setMAC(self, mac, intf=None):
        return self.intf(intf).setMAC(mac)

    def setIP(self, ip, prefixLen=8, intf=None, **kwargs):
        if '/' not in str(ip):
            ip = '%s/%s' % (ip, prefixLen)
        return self.intf(intf).setIP(ip)

    def IP(self, intf=None):
        i = self.intf(intf)
        return i.IP() if i else self.params.get('ip', '').split('/')[0] or None

    def MAC(self, intf=None):
        i = self.intf(intf)
        return i.MAC() if i else None

    def setARP(self, ip, mac):
        intf = self.defaultIntf()
        return self.cmd('ip neigh replace %s lladdr %s dev %s nud permanent' % (ip, mac, intf))

    def setHostRoute(self, ip, intf):
        return self.cmd('ip route add %s dev %s' % (ip, intf))

    def setDefaultRoute(self, intf=None):
        if isinstance(intf, str) and ' ' in intf:
            params = intf
        else:
            params = 'dev %s' % (intf or self.defaultIntf())
        return self.cmd('ip route del default 2>/dev/null; ip route add default %s' % params)

    # Configuration, as Mininet does it once the node exists.

    def setParam(self, results, method, **param):
        name, value = list(param.items())[0]
        if value is None:
            return None
        f = getattr(self, method, None)
        if not f:
            return None
        result = f(*value) if isinstance(value, list) else f(**value) if isinstance(value, dict) else f(value)
        results[name] = result
        return result

    def config(self, mac=None, ip=None, defaultRoute=None, lo='up', **_params):
        """Sets what the engine did not set at build (a changed mac, ip or default
        route); subclasses add their own and call this first."""
        results = {}
        if mac is not None and mac != self._applied.get('mac'):
            self.setParam(results, 'setMAC', mac=mac)
        if ip is not None and ip != self._applied.get('ip'):
            self.setParam(results, 'setIP', ip=ip)
        if defaultRoute is not None and defaultRoute != self._applied.get('defaultRoute'):
            self.setParam(results, 'setDefaultRoute', defaultRoute=defaultRoute)
        return results

    def configDefault(self, **moreParams):
        params = dict(self.params)
        params.update(moreParams)
        self.config(**params)

    def mountPrivateDirs(self):
        """Mininet's privateDirs: a tmpfs (or a bind of a directory of its own) over each,
        seen by the node's shell only."""
        for entry in self.privateDirs:
            directory = entry[0] if isinstance(entry, tuple) else entry
            # A mount point Mininet would make (mkdir -p) is made on the machine, as
            # Mininet does, and removed again when the network stops.
            if not os.path.isdir(directory):
                try:
                    make_mount_point(directory)
                except OSError as e:
                    raise MininetError('privateDirs of %s: cannot make %s: %s' % (self.name, directory, e.strerror))
            if isinstance(entry, tuple):
                private = entry[1] % self.__dict__
                out = self.cmd('mkdir -p %s && mount --bind %s %s' % (private, private, directory))
            else:
                out = self.cmd('mount -n -t tmpfs tmpfs %s' % directory)
            if out.strip():
                raise MininetError('privateDirs of %s: %s: %s' % (self.name, directory, out.strip()))

    def unmountPrivateDirs(self):
        pass

    def __repr__(self):
        intfs = ','.join('%s:%s' % (i.name, i.IP()) for i in self.intfList())
        return '<%s %s: %s pid=%s> ' % (self.__class__.__name__, self.name, intfs, self._pidOrNone())

    def _pidOrNone(self):
        try:
            return self.pid
        except MininetError:
            return None

    def __str__(self):
        return self.name


# Directories made as mount points for privateDirs, each level made, outermost first.
_made_mount_points = []


def make_mount_point(directory):
    """Makes `directory` and any missing parents, remembering each level it made."""
    missing = []
    d = os.path.abspath(directory)
    while not os.path.exists(d):
        missing.insert(0, d)
        d = os.path.dirname(d)
    for d in missing:
        os.mkdir(d)
        _made_mount_points.append(d)


def remove_mount_points():
    """Removes the mount points it made (innermost first; each only if still empty)."""
    while _made_mount_points:
        d = _made_mount_points.pop()
        try:
            os.rmdir(d)
        except OSError:
            pass


atexit.register(remove_mount_points)


def engine_binary():
    from mininet._engine import swiftnet_binary
    return swiftnet_binary()


class Host(Node):
    """A host."""


class CPULimitedHost(Host):
    """A host with a CPU share (``cpu``: the fraction of the machine's CPU time, as in
    Mininet), applied through the kernel's CPU cgroup by the engine."""

    def __init__(self, name, sched='cfs', **kwargs):
        Host.__init__(self, name, **kwargs)
        self.sched = sched
        self.cpu = kwargs.get('cpu', -1)
        self.cores = kwargs.get('cores')

    def setCPUFrac(self, f, sched=None, isUpdate=False):
        self.cpu = f
        if sched:
            self.sched = sched
        if self.net is not None and self.net._engine is not None:
            self.net._setCPU(self)

    def setCPUs(self, cores=None, mems=0):
        self.cores = cores

    def config(self, cpu=-1, cores=None, **params):
        results = Host.config(self, **params)
        return results

    def rtInfo(self, f):
        return 0, 0

    def cfsInfo(self, f):
        return 100000, int(f * 100000)


class Switch(Node):
    """A switch: its ports share the network's fabric; it has no shell of its own."""

    portBase = 1
    dpidLen = 16

    def __init__(self, name, dpid=None, opts='', listenPort=None, **params):
        Node.__init__(self, name, **params)
        self.dpid = self.defaultDpid(dpid)
        self.opts = opts
        self.listenPort = listenPort
        self.controlIntf = None

    def defaultDpid(self, dpid=None):
        if dpid:
            dpid = str(dpid).replace(':', '')
            if not re.match(r'^[0-9a-fA-F]+$', dpid) or len(dpid) > self.dpidLen:
                raise MininetError('switch %s: dpid %r is not at most %d hex digits' % (self.name, dpid, self.dpidLen))
        else:
            nums = re.findall(r'\d+', self.name)
            if not nums:
                raise MininetError('Unable to derive default datapath ID - please either specify a dpid '
                                   'or use a canonical switch name such as s23.')
            dpid = hex(int(nums[0]))[2:]
        return '0' * (self.dpidLen - len(dpid)) + dpid

    def defaultIntf(self):
        return Node.defaultIntf(self)

    def start(self, controllers):
        pass

    def stop(self, deleteIntfs=True):
        pass

    def connected(self):
        return True

    def _checkCommand(self, text):
        word = text.strip().split(' ')[0] if text.strip() else ''
        if word in ('ovs-vsctl', 'ovs-ofctl', 'ovs-appctl', 'ovs-dpctl'):
            raise Unsupported('%s on switch %s' % (word, self.name),
                              "swiftnet's switches are not Open vSwitch; use the shell's dpctl "
                              "(dump-flows, add-flow) with --switch user, or an OpenFlow controller")

    def dpctl(self, *args):
        """``dpctl dump-flows`` and ``dump-ports`` of a user switch."""
        what = args[0] if args else ''
        if what in ('dump-flows', 'dump-ports'):
            key = 'flows' if what == 'dump-flows' else 'ports'
            return self._api().call('GET', '/v1/switches/%s/%s' % (self.name, key)).get(key, '')
        raise Unsupported('dpctl %s from Python' % what, "use the shell's dpctl, or an OpenFlow controller")

    def __repr__(self):
        intfs = ','.join(['lo:127.0.0.1'] + ['%s:None' % i.name for i in self.intfList()])
        return '<%s %s: %s pid=%s> ' % (self.__class__.__name__, self.name, intfs, None)


class OVSSwitch(Switch):
    """Mininet's Open vSwitch; here swiftnet's own userspace OpenFlow switch (no
    controller: it learns MACs; RemoteController: it connects to it)."""

    swiftnetKind = 'user'

    def __init__(self, name, failMode='secure', datapath='kernel', inband=False, protocols=None,
                 reconnectms=1000, stp=False, batch=False, **params):
        Switch.__init__(self, name, **params)
        self.failMode = failMode
        self.datapath = datapath
        self.protocols = protocols
        self.stp = stp

    def vsctl(self, *args, **kwargs):
        raise Unsupported('ovs-vsctl (%s.vsctl)' % self.name,
                          "swiftnet's switches are not Open vSwitch; set switch options when adding it")

    @classmethod
    def isOldOVS(cls):
        return False


OVSKernelSwitch = OVSSwitch


class OVSBridge(OVSSwitch):
    """Open vSwitch as a plain learning bridge; here a Linux bridge."""

    swiftnetKind = 'lxbr'

    def __init__(self, *args, **kwargs):
        kwargs.setdefault('failMode', 'standalone')
        OVSSwitch.__init__(self, *args, **kwargs)


class UserSwitch(Switch):
    """Mininet's user-space reference switch; here swiftnet's userspace OpenFlow switch."""

    swiftnetKind = 'user'

    def __init__(self, name, dpopts='--no-slicing', **kwargs):
        Switch.__init__(self, name, **kwargs)


class LinuxBridge(Switch):
    """A Linux bridge (with STP when stp=True)."""

    swiftnetKind = 'lxbr'

    def __init__(self, name, stp=False, prio=None, **kwargs):
        Switch.__init__(self, name, **kwargs)
        self.stp = stp
        self.prio = prio


class IVSSwitch(Switch):
    def __init__(self, name, **kwargs):
        raise Unsupported('IVSSwitch (Indigo Virtual Switch)', "use OVSSwitch (swiftnet's user switch) or LinuxBridge")


class Controller(Node):
    """An OpenFlow controller. Mininet's reference controller is a learning switch;
    swiftnet's user switches learn MACs themselves without one, so this runs nothing."""

    def __init__(self, name, inNamespace=False, command='controller', cargs='ptcp:%d',
                 cdir=None, ip='127.0.0.1', port=6653, protocol='tcp', verbose=False, **params):
        Node.__init__(self, name, inNamespace=inNamespace, **params)
        self.command = command
        self.cargs = cargs
        self.cdir = cdir
        self.ip = ip.split(':')[0] if ip else '127.0.0.1'
        self.port = port
        self.protocol = protocol

    def start(self):
        pass

    def stop(self, *args, **kwargs):
        pass

    def checkListening(self):
        pass

    def IP(self, intf=None):
        return self.ip

    def cmd(self, *args, **kwargs):
        return quietRun(self._text(args))

    def __repr__(self):
        return '<%s %s: %s:%s pid=%s> ' % (self.__class__.__name__, self.name, self.IP(), self.port, None)

    @classmethod
    def isAvailable(cls):
        return True


class OVSController(Controller):
    pass


class NOX(Controller):
    def __init__(self, name, *args, **kwargs):
        raise Unsupported('the NOX controller', 'run a controller yourself and use RemoteController')


class Ryu(Controller):
    def __init__(self, name, *args, **kwargs):
        raise Unsupported('the Ryu controller class', 'run osken-manager (os-ken, Ryu\'s successor) yourself and use RemoteController')


class RemoteController(Controller):
    """A controller that runs elsewhere, at ip:port."""

    def __init__(self, name, ip='127.0.0.1', port=None, **kwargs):
        Controller.__init__(self, name, ip=ip, port=port or 6653, **kwargs)

    def checkListening(self):
        pass


class NullController(Controller):
    """No controller."""


DefaultController = Controller
DefaultControllers = (Controller, OVSController)
