"""Mininet's utility functions: addresses, natural sorting, running programs on the
machine, and watching programs that run in hosts.

Programs run with ``quietRun``/``errRun`` run on the machine, as in Mininet, not in a host.
"""

import os
import re
import select
import subprocess
import sys
import time

from mininet.log import output

Python3 = sys.version_info[0] == 3
BaseString = str
Encoding = 'utf-8'


def decode(s):
    return s.decode(Encoding, 'replace') if isinstance(s, bytes) else s


def encode(s):
    return s.encode(Encoding) if isinstance(s, str) else s


try:
    import pexpect as _pexpect_module

    class _Pexpect(object):
        """pexpect whose spawn speaks str (utf-8), as Mininet's ``util.pexpect``."""

        @staticmethod
        def spawn(*args, **kwargs):
            kwargs.setdefault('encoding', Encoding)
            return _pexpect_module.spawn(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(_pexpect_module, name)

    pexpect = _Pexpect()
except ImportError:
    pexpect = None


# Running programs on the machine.

def _argv(cmd):
    if len(cmd) == 1:
        cmd = cmd[0]
        if isinstance(cmd, str):
            return cmd, True
    return [str(c) for c in cmd], False


def errRun(*cmd, **kwargs):
    """Runs a command (one string: through the shell; else an argv); returns
    (stdout, stderr, exit status). ``stderr=subprocess.STDOUT`` merges the two."""
    stderr = kwargs.get('stderr', subprocess.PIPE)
    shell = kwargs.get('shell', None)
    argv, isString = _argv(cmd)
    if shell is None:
        shell = isString
    if shell and not isString:
        argv = ' '.join(argv)
    try:
        p = subprocess.Popen(argv, shell=shell, stdout=subprocess.PIPE, stderr=stderr,
                             stdin=subprocess.DEVNULL)
    except OSError as e:
        return '', str(e), 127
    out, err = p.communicate()
    return decode(out) or '', decode(err) or '', p.returncode


def errFail(*cmd, **kwargs):
    out, err, ret = errRun(*cmd, **kwargs)
    if ret:
        raise Exception('errFail: %s failed with return code %s: %s' % (cmd, ret, err))
    return out, err, ret


def quietRun(cmd, **kwargs):
    """Runs a command on the machine; returns its output and errors together."""
    return errRun(cmd, stderr=subprocess.STDOUT, **kwargs)[0]


def run(cmd):
    return errRun(cmd)[0]


def checkRun(cmd):
    out, _err, ret = errRun(cmd)
    if ret:
        raise subprocess.CalledProcessError(ret, cmd, out)
    return out


def which(cmd, **kwargs):
    out = quietRun('which ' + cmd, **kwargs).strip()
    return out or None


def isShellBuiltin(cmd):
    word = cmd.split(' ')[0]
    return quietRun('bash -c "type -t %s"' % word).strip() == 'builtin'


def retry(retries, delaySecs, fn, *args, **keywords):
    tries = 0
    while not fn(*args, **keywords) and tries < retries:
        time.sleep(delaySecs)
        tries += 1
    if tries >= retries:
        raise Exception('%s: giving up after %d tries' % (fn, tries))


def numCores():
    return os.cpu_count() or 1


def fixLimits():
    """Mininet raises the machine's limits here; swiftnet's engine needs none of that."""


def ensureRoot():
    if os.getuid() != 0:
        sys.stderr.write('*** swiftnet: the network needs root: run sudo swiftnet python SCRIPT.py\n')
        sys.exit(2)


# Addresses.

def _colonHex(val, count):
    parts = []
    for _ in range(count):
        parts.insert(0, '%02x' % (val & 0xff))
        val >>= 8
    return ':'.join(parts)


def macColonHex(mac):
    """00:00:00:00:00:01 for 1."""
    return _colonHex(mac, 6)


def ipStr(ip):
    return '%d.%d.%d.%d' % ((ip >> 24) & 0xff, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff)


def ipNum(w, x, y, z):
    return (w << 24) | (x << 16) | (y << 8) | z


def ipAdd(i, prefixLen=8, ipBaseNum=0x0a000000):
    """The i-th address of the network ipBaseNum/prefixLen, as a string."""
    imax = 0xffffffff >> prefixLen
    if i > imax:
        raise ValueError('host number %d does not fit in a /%d network' % (i, prefixLen))
    mask = 0xffffffff ^ imax
    return ipStr((ipBaseNum & mask) + i)


def ipParse(ip):
    args = [int(arg) for arg in ip.split('.')]
    while len(args) < 4:
        args.insert(len(args) - 1, 0)
    return ipNum(*args)


def netParse(ipstr):
    """(address as a number, prefix length) of '10.0.0.0/8'; the prefix defaults to 24."""
    prefixLen = 0
    if '/' in ipstr:
        ip, pf = ipstr.split('/')
        prefixLen = int(pf)
    else:
        ip = ipstr
    if not prefixLen:
        prefixLen = 24
    return ipParse(ip), prefixLen


def checkInt(s):
    try:
        int(s)
        return True
    except ValueError:
        return False


def checkFloat(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def makeNumeric(s):
    if checkInt(s):
        return int(s)
    if checkFloat(s):
        return float(s)
    return s


# Names.

def natural(text):
    """Sort key that orders h2 before h10."""
    def num(s):
        return int(s) if s.isdigit() else s
    return [num(s) for s in re.split(r'(\d+)', str(text))]


def naturalSeq(t):
    return [natural(x) for x in t]


def irange(start, end):
    """start to end, both included."""
    return range(start, end + 1)


# Classes with parameters, as `--switch ovsk,protocols=OpenFlow13` and `custom()` make them.

def custom(cls, **params):
    """A constructor for cls with these parameters as defaults."""
    def customized(*args, **kwargs):
        kwargs = dict(kwargs)
        merged = dict(params)
        merged.update(kwargs)
        return cls(*args, **merged)
    customized.__name__ = 'custom(%s,%s)' % (getattr(cls, '__name__', cls), params)
    customized.mininetClass = cls
    customized.mininetParams = params
    return customized


def splitArgs(argstr):
    """'tree,2,fanout=3' as ('tree', [2], {'fanout': 3})."""
    split = argstr.split(',')
    fn = split[0]
    params = split[1:]
    args = [makeNumeric(s) for s in params if '=' not in s]
    kwargs = {}
    for s in [p for p in params if '=' in p]:
        key, val = s.split('=', 1)
        kwargs[key] = makeNumeric(val)
    return fn, args, kwargs


def customClass(classes, argStr):
    cname, args, kwargs = splitArgs(argStr)
    cls = classes.get(cname, None)
    if not cls:
        raise Exception('error: %s is unknown - please specify one of %s' % (cname, classes.keys()))
    if not args and not kwargs:
        return cls
    return specialClass(cls, append=args, defaults=kwargs)


def specialClass(cls, prepend=None, append=None, defaults=None, override=None):
    """A subclass of cls whose constructor adds these arguments."""
    prepend = prepend or []
    append = append or []
    defaults = defaults or {}
    override = override or {}

    class CustomClass(cls):
        def __init__(self, *args, **params):
            newparams = dict(defaults)
            newparams.update(params)
            newparams.update(override)
            cls.__init__(self, *(list(prepend) + list(args) + list(append)), **newparams)

    CustomClass.__name__ = '%s%s' % (cls.__name__, defaults)
    return CustomClass


def buildTopo(topos, topoStr):
    topo, args, kwargs = splitArgs(topoStr)
    if topo not in topos:
        raise Exception('Invalid topo name %s' % topo)
    return topos[topo](*args, **kwargs)


# Watching programs in hosts.

def pmonitor(popens, timeoutms=500, readline=True, readmax=1024):
    """Yields (host, line) as the popen'ed programs of a {host: Popen} dict print (with
    readline=False, pieces of up to readmax bytes), and (None, '') when nothing came
    within timeoutms; ends when every program has ended."""
    poller = select.poll()
    fdToHost, pending = {}, {}
    for host, popen in popens.items():
        fd = popen.stdout.fileno()
        fdToHost[fd] = host
        pending[host] = b''
        os.set_blocking(fd, False)
        poller.register(fd, select.POLLIN | select.POLLHUP)
    while popens:
        fds = poller.poll(timeoutms)
        if not fds:
            yield None, ''
            continue
        for fd, _event in fds:
            host = fdToHost[fd]
            try:
                chunk = os.read(fd, 65536 if readline else readmax)
            except BlockingIOError:
                continue
            if not readline:
                if chunk:
                    yield host, decode(chunk)
                    continue
            else:
                pending[host] += chunk
                while b'\n' in pending[host]:
                    line, pending[host] = pending[host].split(b'\n', 1)
                    yield host, decode(line + b'\n')
                if chunk:
                    continue
                if pending[host]:
                    yield host, decode(pending[host])
            poller.unregister(fd)
            popens[host].wait()
            del popens[host]


def waitListening(client=None, server='127.0.0.1', port=80, timeout=None):
    """Waits until something listens on server:port, seen from the client host (or the
    machine); returns False after timeout seconds."""
    ip = server if isinstance(server, str) else server.IP()
    # A byte, then close, as Mininet's telnet probe sends: a server such as iperf then
    # reports the connection (Mininet's cpu example reads that line).
    probe = 'bash -c "exec 3<>/dev/tcp/%s/%s && echo A >&3" 2>/dev/null && echo open' % (ip, port)
    deadline = time.time() + timeout if timeout else None
    while True:
        out = client.cmd(probe) if client is not None else quietRun(probe)
        if 'open' in out:
            return True
        if deadline and time.time() >= deadline:
            output('waiting for %s:%s timed out after %s s\n' % (ip, port, timeout))
            return False
        time.sleep(0.2)


def dumpNodeConnections(nodes):
    """Prints each node's interfaces and what they are linked to: h1 h1-eth0:s1-eth1"""
    for node in nodes:
        output(node.name)
        for intf in node.intfList():
            output(' %s:' % intf)
            if intf.link:
                other = intf.link.intf2 if intf.link.intf1 is intf else intf.link.intf1
                output('%s' % other)
            else:
                output(' ')
        output('\n')


def dumpNetConnections(net):
    dumpNodeConnections(net.controllers + net.switches + net.hosts)


def dumpPorts(switches):
    for switch in switches:
        output('%s ' % switch.name)
        for intf in switch.intfList():
            port = switch.ports[intf]
            output('%s:%d ' % (intf, port))
        output('\n')


def moveIntf(intf, dstNode, printError=True, retries=3, delaySecs=0.001):
    from mininet._errors import Unsupported
    raise Unsupported('moveIntf (moving an interface between namespaces by hand)',
                      'link nodes with net.addLink, which makes and places the interfaces')


def makeIntfPair(intf1, intf2, *args, **kwargs):
    from mininet._errors import Unsupported
    raise Unsupported('makeIntfPair (a veth pair made by hand)', 'use net.addLink(node1, node2)')


def mountCgroups():
    """Mininet mounts cgroups here; swiftnet's engine sets up what it uses itself."""
