"""Mininet's links and interfaces. A ``Link`` is a veth pair between two nodes; its
``Intf`` ends belong to the nodes. ``TCLink`` (``TCIntf`` ends) shapes with bw, delay,
jitter, loss and max_queue_size, as Mininet's does, through the engine (htb and tbf;
delay, jitter and loss need the kernel's netem, or a user switch on the path).
"""

from mininet._errors import MininetError
from mininet.log import info


class Intf(object):
    """One end of a link: an interface of a node."""

    def __init__(self, name, node=None, port=None, link=None, mac=None, **params):
        self.node = node
        self.name = name
        self.link = link
        self.mac = mac
        self.ip, self.prefixLen = None, None
        self.params = params
        ip = params.get('ip')
        if ip:
            self.ip, self.prefixLen = _split(ip)
        if node is not None:
            node.addIntf(self, port=port)

    def _live(self):
        net = self.node.net if self.node is not None else None
        return net is not None and net._engine is not None

    def cmd(self, *args, **kwargs):
        return self.node.cmd(*args, **kwargs)

    def _kernel(self):
        """The interface as the kernel has it now (mac, up, addresses)."""
        if not self._live():
            return None
        answer = self.node._api().call('GET', '/v1/nodes/%s' % self.node.name)
        for i in answer.get('interfaces', []):
            if i.get('name') == self.name:
                return i
        return None

    def ifconfig(self, *args):
        return self.cmd('ifconfig', self.name, *args)

    def setIP(self, ipstr, prefixLen=None):
        if '/' in str(ipstr):
            self.ip, self.prefixLen = _split(ipstr)
        else:
            if prefixLen is None:
                raise MininetError('setIP(%r) on %s: give a prefix length, such as %s/8' % (ipstr, self.name, ipstr))
            self.ip, self.prefixLen = str(ipstr), int(prefixLen)
        if self._live():
            return self.cmd('ip addr flush dev %s && ip addr add %s/%s dev %s' % (self.name, self.ip, self.prefixLen, self.name))
        return ''

    def setMAC(self, macstr):
        self.mac = macstr
        if self.node is not None:
            self.node._applied.pop('mac', None)
        if self._live():
            return self.cmd('ip link set dev %s address %s' % (self.name, macstr))
        return ''

    def IP(self):
        return self.ip

    def MAC(self):
        k = self._kernel()
        if k is not None:
            self.mac = k.get('mac', self.mac)
        return self.mac

    def isUp(self, setUp=False):
        if setUp:
            self.cmd('ip link set dev %s up' % self.name)
        k = self._kernel()
        return bool(k and k.get('up'))

    def rename(self, newname):
        raise MininetError('renaming %s: swiftnet names interfaces when they are made; give intfName1/intfName2 to addLink' % self.name)

    def updateIP(self):
        return self.ip

    def updateMAC(self):
        return self.MAC()

    def updateAddr(self):
        return self.updateIP(), self.updateMAC()

    def setParam(self, results, method, **param):
        name, value = list(param.items())[0]
        f = getattr(self, method, None)
        if not f or value is None:
            return None
        result = f(*value) if isinstance(value, list) else f(**value) if isinstance(value, dict) else f(value)
        results[name] = result
        return result

    def config(self, mac=None, ip=None, ifconfig=None, up=True, **_params):
        results = {}
        if mac is not None and mac != self.mac:
            self.setParam(results, 'setMAC', mac=mac)
        if ip is not None and _split(ip) != (self.ip, self.prefixLen):
            self.setParam(results, 'setIP', ip=ip)
        if ifconfig is not None:
            self.setParam(results, 'ifconfig', ifconfig=ifconfig)
        return results

    def delete(self):
        raise MininetError('deleting interface %s: swiftnet removes interfaces with the network' % self.name)

    def status(self):
        return 'OK' if self._kernel() is not None else 'MISSING'

    def __repr__(self):
        return '<%s %s>' % (self.__class__.__name__, self.name)

    def __str__(self):
        return self.name


def _split(ip):
    ip = str(ip)
    if '/' in ip:
        address, prefix = ip.split('/', 1)
        return address, int(prefix)
    return ip, 8


SHAPING = ('bw', 'delay', 'jitter', 'loss', 'max_queue_size', 'use_tbf')


class TCIntf(Intf):
    """An interface whose link is shaped (bw in Mbit/s, delay and jitter with a unit
    such as '5ms', loss in percent, max_queue_size in packets)."""

    def config(self, bw=None, delay=None, jitter=None, loss=None, gro=False, txo=True, rxo=True,
               speedup=0, use_hfsc=False, use_tbf=False, latency_ms=None, enable_ecn=False,
               enable_red=False, max_queue_size=None, **params):
        results = Intf.config(self, **params)
        shaping = dict(bw=bw, delay=delay, jitter=jitter, loss=loss, max_queue_size=max_queue_size,
                       use_tbf=use_tbf or None)
        shaping = dict((k, v) for k, v in shaping.items() if v is not None)
        if not shaping:
            return results
        self.params.update(shaping)
        if self._live() and self.link is not None:
            self.node.net._reshape(self.link, shaping)
        info(describeShaping(shaping))
        return results


def describeShaping(s):
    """Mininet's note of a link's shaping: '(10.00Mbit 5ms delay 1.00000% loss) '."""
    parts = []
    if s.get('bw') is not None:
        parts.append('%.2fMbit' % float(s['bw']))
    if s.get('delay') is not None:
        parts.append('%s delay' % s['delay'])
    if s.get('jitter') is not None:
        parts.append('%s jitter' % s['jitter'])
    if s.get('loss') is not None:
        parts.append('%.5f%% loss' % float(s['loss']))
    if s.get('max_queue_size') is not None:
        parts.append('%s max queue' % s['max_queue_size'])
    return '(%s) ' % ' '.join(parts) if parts else ''


class Link(object):
    """A veth pair between node1 and node2. params1/params2 configure each end
    (``{'ip': '10.0.1.1/24'}``); other parameters go to both."""

    def __init__(self, node1, node2, port1=None, port2=None, intfName1=None, intfName2=None,
                 addr1=None, addr2=None, intf=Intf, cls1=None, cls2=None, params1=None,
                 params2=None, fast=True, **params):
        params1 = dict(params1) if params1 else {}
        params2 = dict(params2) if params2 else {}
        if port1 is None:
            port1 = node1.newPort()
        if port2 is None:
            port2 = node2.newPort() if node2 is not node1 else port1 + 1
        if not intfName1:
            intfName1 = self.intfName(node1, port1)
        if not intfName2:
            intfName2 = self.intfName(node2, port2)
        params1.update(params)
        params2.update(params)
        cls1 = cls1 or intf
        cls2 = cls2 or intf
        self.fast = fast
        self.intf1 = cls1(name=intfName1, node=node1, port=port1, link=self, mac=addr1, **params1)
        self.intf2 = cls2(name=intfName2, node=node2, port=port2, link=self, mac=addr2, **params2)
        self.params1, self.params2 = params1, params2

    @staticmethod
    def intfName(node, n):
        return node.name + '-eth' + repr(n)

    def shaping(self):
        """The shaping the engine applies to the link, if its ends are TCIntfs."""
        for intf in (self.intf1, self.intf2):
            if isinstance(intf, TCIntf):
                s = dict((k, intf.params[k]) for k in SHAPING if intf.params.get(k) is not None)
                if s:
                    return s
        return {}

    def delete(self):
        raise MininetError('deleting link %s: swiftnet removes links with the network; '
                           'use net.configLinkStatus(a, b, "down") to take it down' % self)

    def stop(self):
        pass

    def status(self):
        return '(%s %s)' % (self.intf1.status(), self.intf2.status())

    def __str__(self):
        return '%s<->%s' % (self.intf1, self.intf2)


class TCLink(Link):
    """A shaped link: TCIntf at both ends."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault('cls1', TCIntf)
        kwargs.setdefault('cls2', TCIntf)
        Link.__init__(self, *args, **kwargs)


TCULink = TCLink
OVSLink = Link
OVSIntf = Intf
