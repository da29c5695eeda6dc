"""Mininet's network object, run by swiftnet's engine.

``Mininet(topo=...)`` collects hosts, switches, controllers and links as Mininet does;
``build()`` hands them to one ``swiftnet engine`` process, which makes the namespaces,
veths and switches at once and owns them from then on. Nodes and links added after the
build go to the running network through its control API. ``stop()`` tears it down, and
so does the end of this process, however it ends.
"""

import os
import re
import sys
import json

from mininet._errors import MininetError, Unsupported, EngineError
from mininet import _engine
from mininet.link import Link, Intf, describeShaping
from mininet.log import info, output
from mininet.node import (Host, CPULimitedHost, Switch, OVSSwitch, Controller, DefaultController,
                          RemoteController, NullController, remove_mount_points)
from mininet.util import ipAdd, macColonHex, netParse

VERSION = '2.3.0'

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _caller():
    """(file, line) of the first frame outside this package: where the script asked."""
    frame = sys._getframe(1)
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if not path.startswith(_PACKAGE_DIR + os.sep):
            return frame.f_code.co_filename, frame.f_lineno
        frame = frame.f_back
    return None


def _runName(script=None):
    """A run name (for /run/swiftnet and `swiftnet ls`) from the script's file name."""
    if script is None:
        script = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else 'mininet'
    name = re.sub(r'[^A-Za-z0-9_.-]', '-', os.path.splitext(script)[0])
    name = re.sub(r'^[^A-Za-z0-9]+', '', name) or 'mininet'
    return name[:40]


class Mininet(object):
    """A network of hosts, switches, controllers and links."""

    def __init__(self, topo=None, switch=None, host=Host, controller=DefaultController, link=Link,
                 intf=Intf, build=True, xterms=False, cleanup=False, ipBase='10.0.0.0/8',
                 inNamespace=False, autoSetMacs=False, autoStaticArp=False, autoPinCpus=False,
                 listenPort=None, waitConnected=False):
        if xterms:
            raise Unsupported('xterms (Mininet(xterms=True))',
                              'there is no display; run commands with node.cmd() or in CLI(net)')
        self.topo = topo
        self.switch = switch
        self.host = host
        self.controller = controller
        self.link = link
        self.intf = intf
        self.ipBase = ipBase
        self.ipBaseNum, self.prefixLen = netParse(ipBase)
        hostIP = (0xffffffff >> self.prefixLen) & self.ipBaseNum
        self.nextIP = hostIP if hostIP > 0 else 1
        self.inNamespace = inNamespace
        self.xterms = xterms
        self.cleanup = cleanup
        self.autoSetMacs = autoSetMacs
        self.autoStaticArp = autoStaticArp
        self.autoPinCpus = autoPinCpus
        self.numCores = os.cpu_count() or 1
        self.nextCore = 0
        self.listenPort = listenPort
        self.waitConn = waitConnected
        self.hosts, self.switches, self.controllers, self.links = [], [], [], []
        self.nameToNode = {}
        self.terms = []
        self.built = False
        self._engine = None
        self._where = {}
        self.runName = _runName()
        if topo and build:
            self.build()

    # The engine.

    def _live_api(self):
        if self._engine is None:
            if self.built:
                raise EngineError('the network has been stopped')
            self.build()
        if self._engine.stopped:
            raise EngineError('the network has been stopped')
        return self._engine.api

    def _record(self, key):
        where = _caller()
        if where and key not in self._where:
            self._where[key] = where

    # Adding nodes and links.

    def addHost(self, name, cls=None, **params):
        """Adds a host (10.0.0.N/8 in order of addition unless ip= says otherwise)."""
        self._checkName(name)
        defaults = {'ip': ipAdd(self.nextIP, ipBaseNum=self.ipBaseNum, prefixLen=self.prefixLen) + '/%s' % self.prefixLen}
        if self.autoSetMacs:
            defaults['mac'] = macColonHex(self.nextIP)
        if self.autoPinCpus:
            defaults['cores'] = self.nextCore
            self.nextCore = (self.nextCore + 1) % self.numCores
        self.nextIP += 1
        defaults.update(params)
        cls = cls or self.host
        h = cls(name, **defaults)
        h.net = self
        self._record(('node', name))
        self.hosts.append(h)
        self.nameToNode[name] = h
        if self._engine is not None:
            self._runtimeNode(h, 'host')
        return h

    def addSwitch(self, name, cls=None, **params):
        self._checkName(name)
        defaults = {'listenPort': self.listenPort, 'inNamespace': self.inNamespace}
        defaults.update(params)
        defaults.pop('isSwitch', None)
        cls = cls or self.switch or _DefaultSwitch
        sw = cls(name, **defaults)
        sw.net = self
        if self.listenPort:
            self.listenPort += 1
        self._record(('node', name))
        self.switches.append(sw)
        self.nameToNode[name] = sw
        if self._engine is not None:
            self._runtimeNode(sw, 'switch')
        return sw

    def addController(self, name='c0', controller=None, **params):
        if not controller:
            controller = self.controller
        if isinstance(name, Controller):
            c = name
            name = c.name
        elif controller is None or controller is NullController:
            return None
        else:
            c = controller(name, **params)
        c.net = self
        self.controllers.append(c)
        self.nameToNode[name] = c
        return c

    def addNAT(self, *args, **kwargs):
        raise Unsupported('NAT (net.addNAT)',
                          "emulated hosts never reach the machine's own network; put what they need inside the topology")

    def addLink(self, node1, node2, port1=None, port2=None, cls=None, **params):
        node1 = node1 if not isinstance(node1, str) else self[node1]
        node2 = node2 if not isinstance(node2, str) else self[node2]
        options = dict(params)
        options.setdefault('intf', self.intf)
        cls = cls or self.link
        link = cls(node1, node2, port1=port1, port2=port2, **options)
        self._record(('link', len(self.links)))
        self.links.append(link)
        s = link.shaping()
        if s:
            info(describeShaping(s) * 2)
        if self._engine is not None:
            self._runtimeLink(link)
        return link

    def delLink(self, link):
        raise MininetError('removing a link from a running network is not available; take it down with '
                           'net.configLinkStatus(a, b, "down")')

    def delNode(self, node, nodes=None):
        raise MininetError('removing a node from a running network is not available')

    delHost = delSwitch = delController = delNode

    def _checkName(self, name):
        if name in self.nameToNode:
            raise MininetError('a node named %s exists already' % name)

    # Building.

    def buildFromTopo(self, topo=None):
        info('*** Creating network\n')
        if not self.controllers and self.controller:
            classes = self.controller if isinstance(self.controller, list) else [self.controller]
            for i, cls in enumerate(classes):
                if isinstance(cls, Controller):
                    self.addController(cls)
                else:
                    self.addController('c%d' % i, cls)
            if self.controllers:
                info('*** Adding controller\n')
        info('*** Adding hosts:\n')
        for hostName in topo.hosts():
            self.addHost(hostName, **topo.nodeInfo(hostName))
            info(hostName + ' ')
        info('\n*** Adding switches:\n')
        for switchName in topo.switches():
            self.addSwitch(switchName, **topo.nodeInfo(switchName))
            info(switchName + ' ')
        info('\n*** Adding links:\n')
        where = getattr(topo, 'where', {})
        for key, w in where.items():
            if key[0] == 'node' and w:
                self._where[key] = w
        for srcName, dstName, k, params in topo.links(sort=True, withKeys=True, withInfo=True):
            self.addLink(**params)
            w = where.get(('link', srcName, dstName, k)) or where.get(('link', dstName, srcName, k))
            if w:
                self._where[('link', len(self.links) - 1)] = w
            info('(%s, %s) ' % (srcName, dstName))
        info('\n')

    def build(self):
        """Builds the network: one engine makes every namespace, link and switch."""
        if self.built:
            return
        if self.topo:
            self.buildFromTopo(self.topo)
        text, lines = self._topology()
        try:
            self._engine = _engine.Engine(text, '<topology>', ['--name', self.runName] + self._cpuOptions())
        except EngineError as e:
            raise EngineError(self._locate(str(e), lines))
        self.built = True
        info('*** Configuring hosts\n')
        for h in self.hosts:
            self._addressDefault(h)
            info(h.name + ' ')
            if h.privateDirs:
                h.mountPrivateDirs()
            if h.defaultIntf() is not None:
                h.configDefault()
            else:
                h.configDefault(ip=None, mac=None)
        info('\n')
        if self.autoStaticArp:
            self.staticArp()

    def _cpuOptions(self):
        """CPULimitedHost's share and autoPinCpus, as the engine's --host and --pin: one
        share for every host, as `mn --host cfs,cpu=F` gives."""
        limited = [h for h in self.hosts if isinstance(h, CPULimitedHost) and float(h.params.get('cpu', -1)) > 0]
        options = ['--pin'] if self.autoPinCpus else []
        if not limited:
            return options
        shares = set((h.sched, float(h.params['cpu']), int(h.params.get('period_us', 100000))) for h in limited)
        if len(shares) > 1 or len(limited) != len(self.hosts):
            raise Unsupported('CPU shares that differ between hosts (%s)' % ', '.join('%s=%s' % (h.name, h.params.get('cpu')) for h in self.hosts[:6]),
                              'give every host the same CPULimitedHost share, as mn --host cfs,cpu=F does')
        sched, cpu, period = shares.pop()
        return options + ['--host', '%s,cpu=%s,period_us=%d' % (sched, cpu, period)]

    @staticmethod
    def _addressDefault(h):
        """The host's first interface has the host's address, as the engine gave it."""
        if not h.intfs:
            return
        intf, ip = h.defaultIntf(), h.params.get("ip")
        if intf is not None and intf.ip is None and ip:
            ip = str(ip) if '/' in str(ip) else '%s/8' % ip
            intf.ip, intf.prefixLen = ip.split('/')[0], int(ip.split('/')[1])

    def _kind(self, sw):
        """The swiftnet switch a Mininet switch class becomes."""
        if type(sw) is _DefaultSwitch:
            return 'user' if self._remote() else 'lxbr'
        return getattr(sw, 'swiftnetKind', 'lxbr')

    def _remote(self):
        for c in self.controllers:
            if isinstance(c, RemoteController):
                return c
        return None

    def _defaultEnd(self, intf):
        """True for a host's first interface carrying the host's own address (the engine
        gives it that address itself)."""
        node = intf.node
        return (not isinstance(node, Switch) and node.defaultIntf() is intf
                and (intf.ip is None or '%s/%s' % (intf.ip, intf.prefixLen) == node.params.get('ip')))

    def _topology(self):
        """The topology as swiftnet's topology file reads it (JSON), one node or link per
        line so that an error's line points back at the call that made it."""
        lines = {}
        out = ['{', '"name": %s,' % json.dumps(self.runName), '"ipbase": %s,' % json.dumps(self.ipBase)]

        def entry(key, text):
            lines[len(out) + 1] = key
            out.append(text)

        out.append('"hosts": {')
        for i, h in enumerate(self.hosts):
            spec = {}
            ip = h.params.get('ip')
            if ip:
                ip = str(ip) if '/' in str(ip) else '%s/8' % ip
                spec['ip'] = ip
            if h.params.get('mac'):
                spec['mac'] = h.params['mac']
            route = h.params.get('defaultRoute')
            if isinstance(route, str) and route.startswith('via '):
                spec['gateway'] = route[4:].strip()
                h._applied['defaultRoute'] = route
            h._applied.update(ip=h.params.get('ip'), mac=h.params.get('mac'))
            entry(('node', h.name), '%s: %s%s' % (json.dumps(h.name), json.dumps(spec), ',' if i < len(self.hosts) - 1 else ''))
        out.append('},')
        out.append('"switches": {')
        remote = self._remote()
        for i, sw in enumerate(self.switches):
            spec = {'kind': self._kind(sw)}
            if getattr(sw, 'stp', False):
                spec['stp'] = True
            if spec['kind'] == 'user':
                spec['dpid'] = sw.dpid
                if getattr(sw, 'protocols', None):
                    spec['protocols'] = sw.protocols
                if 'failMode' in sw.params and remote:
                    spec['failmode'] = sw.params['failMode']
            entry(('node', sw.name), '%s: %s%s' % (json.dumps(sw.name), json.dumps(spec), ',' if i < len(self.switches) - 1 else ''))
        out.append('},')
        out.append('"links": [')
        for i, link in enumerate(self.links):
            entry(('link', i), json.dumps(self._linkSpec(link)) + (',' if i < len(self.links) - 1 else ''))
        out.append(']')
        if remote and any(self._kind(s) == 'user' for s in self.switches):
            out[-1] += ','
            out.append('"controller": %s' % json.dumps('remote,ip=%s,port=%s' % (remote.ip, remote.port)))
        out.append('}')
        return '\n'.join(out) + '\n', lines

    def _linkSpec(self, link):
        spec = {'endpoints': [link.intf1.node.name, link.intf2.node.name],
                'interfaces': [link.intf1.name, link.intf2.name]}
        ips = [None if self._defaultEnd(i) or isinstance(i.node, Switch) or i.ip is None
               else '%s/%s' % (i.ip, i.prefixLen) for i in (link.intf1, link.intf2)]
        if any(ips):
            spec['ips'] = ips
        for key, value in link.shaping().items():
            spec['max_queue' if key == 'max_queue_size' else key] = value
        return spec

    def _locate(self, message, lines):
        """An engine message about line N of the topology, said about the script's line."""
        m = re.match(r'<topology>:(\d+): (.*)', message, re.S)
        if not m:
            return message.replace('<topology>: ', '')
        where = self._where.get(lines.get(int(m.group(1))))
        return '%s:%s: %s' % (where[0], where[1], m.group(2)) if where else m.group(2)

    def _addressEnds(self, link):
        """A runtime link's addresses the engine did not give (a second interface's
        params ip); a build gives them with the topology's ips."""
        for intf in (link.intf1, link.intf2):
            if isinstance(intf.node, Switch) or intf.ip is None or self._defaultEnd(intf):
                continue
            intf.node.cmd('ip addr add %s/%s dev %s' % (intf.ip, intf.prefixLen, intf.name))

    # Changes to the running network.

    def _runtimeNode(self, node, kind):
        body = {'name': node.name, 'kind': kind}
        if kind == 'host':
            body['ip'] = node.params.get('ip')
            if node.params.get('mac'):
                body['mac'] = node.params['mac']
            node._applied.update(ip=node.params.get('ip'), mac=node.params.get('mac'))
        elif self._kind(node) == 'user':
            raise Unsupported('adding a user switch (%s) to a running network' % node.name,
                              'add it before net.start(), or add a LinuxBridge')
        self._engine.api.call('POST', '/v1/nodes', body)

    def _runtimeLink(self, link):
        body = {'a': link.intf1.node.name, 'b': link.intf2.node.name,
                'a_interface': link.intf1.name, 'b_interface': link.intf2.name}
        for key, value in link.shaping().items():
            body['max_queue' if key == 'max_queue_size' else key] = str(value)
        self._engine.api.call('POST', '/v1/links', body)
        for intf in (link.intf1, link.intf2):
            if not isinstance(intf.node, Switch):
                self._addressDefault(intf.node)
        self._addressEnds(link)

    def _reshape(self, link, shaping):
        body = {}
        for key, value in shaping.items():
            if key == 'use_tbf':
                continue
            body['max_queue' if key == 'max_queue_size' else key] = str(value)
        self._live_api().call('POST', '/v1/links/%s/%s' % (link.intf1.node.name, link.intf2.node.name), body)

    def _setCPU(self, host):
        raise Unsupported('changing a CPULimitedHost\'s CPU share after the build', 'give cpu= when adding the host')

    def configLinkStatus(self, src, dst, status):
        """Takes the links between src and dst 'up' or 'down'."""
        src = src if isinstance(src, str) else src.name
        dst = dst if isinstance(dst, str) else dst.name
        if src not in self.nameToNode or dst not in self.nameToNode:
            raise MininetError('configLinkStatus: no node named %s' % (src if src not in self.nameToNode else dst))
        if status not in ('up', 'down'):
            raise MininetError('configLinkStatus: status must be up or down, not %r' % status)
        self._live_api().call('POST', '/v1/links/%s/%s' % (src, dst), {'state': status})

    # Starting and stopping.

    def start(self):
        if not self.built:
            self.build()
        info('*** Starting controller\n')
        for c in self.controllers:
            info(c.name + ' ')
            c.start()
        info('\n')
        info('*** Starting %s switches\n' % len(self.switches))
        for s in self.switches:
            info(s.name + ' ')
            s.start(self.controllers)
        info('...\n')
        if self.waitConn:
            self.waitConnected()

    def stop(self):
        info('*** Stopping %i controllers\n' % len(self.controllers))
        for c in self.controllers:
            info(c.name + ' ')
        info('\n')
        info('*** Stopping %i links\n' % len(self.links))
        info('.' * len(self.links) + '\n')
        info('*** Stopping %i switches\n' % len(self.switches))
        for s in self.switches:
            info(s.name + ' ')
        info('\n')
        info('*** Stopping %i hosts\n' % len(self.hosts))
        for h in self.hosts:
            info(h.name + ' ')
        info('\n')
        if self._engine is not None:
            self._engine.stop()
        remove_mount_points()
        info('\n*** Done\n')

    def waitConnected(self, timeout=None, delay=.5):
        """The engine waits for user switches to reach their controller while it builds."""
        info('*** Waiting for switches to connect\n')
        for s in self.switches:
            info(s.name + ' ')
        info('\n')
        return True

    def run(self, test, *args, **kwargs):
        self.start()
        info('*** Running test\n')
        result = test(*args, **kwargs)
        self.stop()
        return result

    def interact(self):
        from mininet.cli import CLI
        self.start()
        result = CLI(self)
        self.stop()
        return result

    def _cli(self, prompt, script, evaluate):
        self._live_api()  # built first, if it was not yet
        sys.stdout.flush()
        sys.stderr.flush()
        return self._engine.cli(prompt, script, evaluate)

    # Nodes by name.

    def getNodeByName(self, *args):
        if len(args) == 1:
            return self.nameToNode[args[0]]
        return [self.nameToNode[n] for n in args]

    def get(self, *args):
        return self.getNodeByName(*args)

    def __getitem__(self, key):
        return self.nameToNode[key]

    def __delitem__(self, key):
        self.delNode(self.nameToNode[key])

    def __contains__(self, item):
        return item in self.nameToNode

    def __iter__(self):
        for node in self.hosts + self.switches + self.controllers:
            yield node.name

    def __len__(self):
        return len(self.hosts) + len(self.switches) + len(self.controllers)

    def keys(self):
        return list(self)

    def values(self):
        return [self[n] for n in self]

    def items(self):
        return zip(self.keys(), self.values())

    @staticmethod
    def randMac():
        import random
        return macColonHex(random.randint(1, 2 ** 48 - 1) & 0xfeffffffffff | 0x020000000000)

    # Measurements.

    def staticArp(self):
        """Permanent ARP entries in every host for every other host."""
        macs = dict((h.name, h.MAC()) for h in self.hosts)
        for src in self.hosts:
            intf = src.defaultIntf()
            if intf is None:
                continue
            batch = '\n'.join('neigh replace %s lladdr %s dev %s nud permanent' % (dst.IP(), macs[dst.name], intf)
                              for dst in self.hosts if dst is not src and macs.get(dst.name) and dst.IP())
            if batch:
                src.cmd("ip -batch - <<'EOF'\n%s\nEOF" % batch)

    def _pingall(self, hosts, timeout):
        body = {'hosts': [h.name for h in hosts],
                'addresses': dict((h.name, h.IP()) for h in hosts if h.IP() and h.IP() != str(h.params.get('ip', '')).split('/')[0])}
        if timeout:
            body['timeout'] = max(1, int(float(timeout)))
        return self._live_api().call('POST', '/v1/pingall', body)

    def ping(self, hosts=None, timeout=None):
        """Pings between every pair of hosts; prints Mininet's table; returns the loss in percent."""
        hosts = hosts or self.hosts
        output('*** Ping: testing ping reachability\n')
        r = self._pingall(hosts, timeout)
        for row in r['rows']:
            output('%s -> %s \n' % (row['source'], ' '.join(d if ok else 'X' for d, ok in zip(row['destinations'], row['received']))))
        sent, received = r['sent'], r['received']
        ploss = 100.0 * (sent - received) / sent if sent else 0.0
        output('*** Results: %i%% dropped (%d/%d received)\n' % (ploss, received, sent))
        return ploss

    def pingFull(self, hosts=None, timeout=None):
        """Pings between every pair; returns [(src, dst, (sent, received, rttmin, rttavg, rttmax, rttdev))]."""
        hosts = hosts or self.hosts
        output('*** Ping: testing ping reachability\n')
        r = self._pingall(hosts, timeout)
        byName = self.nameToNode
        results = []
        for row in r['rows']:
            for d, ok, rtt in zip(row['destinations'], row['received'], row['rtt_ms']):
                rtt = rtt or 0.0
                results.append((byName[row['source']], byName[d], (1, 1 if ok else 0, rtt, rtt, rtt, 0.0)))
        output('*** Results: \n')
        for src, dst, (sent, received, rttmin, rttavg, rttmax, rttdev) in results:
            output(' %s->%s: %s/%s, ' % (src, dst, sent, received))
            output('rtt min/avg/max/mdev %0.3f/%0.3f/%0.3f/%0.3f ms\n' % (rttmin, rttavg, rttmax, rttdev))
        return results

    def pingAll(self, timeout=None):
        return self.ping(timeout=timeout)

    def pingPair(self):
        return self.ping(hosts=self.hosts[0:2])

    def pingAllFull(self):
        return self.pingFull()

    def pingPairFull(self):
        return self.pingFull(hosts=self.hosts[0:2])

    def iperf(self, hosts=None, l4Type='TCP', udpBw='10M', fmt=None, seconds=5, port=5001):
        """iperf3 from the first host to the last (or hosts=[client, server]); returns
        [server rate, client rate] (for UDP, the rate asked for first)."""
        hosts = hosts or [self.hosts[0], self.hosts[-1]]
        if len(hosts) != 2:
            raise MininetError('iperf: give two hosts, [client, server]')
        client, server = hosts
        output('*** Iperf: testing', l4Type, 'bandwidth between', client, 'and', server, '\n')
        body = {'client': client.name, 'server': server.name, 'seconds': max(1, int(seconds))}
        if l4Type == 'UDP':
            body['udp_bw'] = udpBw
        elif l4Type != 'TCP':
            raise MininetError('iperf: l4Type must be TCP or UDP, not %r' % l4Type)
        r = self._live_api().call('POST', '/v1/iperf', body)
        result = [r['server'], r['client']]
        if l4Type == 'UDP':
            result.insert(0, udpBw)
        output('*** Results: %s\n' % result)
        return result

    def runCpuLimitTest(self, cpu, duration=5):
        raise Unsupported('runCpuLimitTest', 'measure with your own load in CPULimitedHosts')

    def monitor(self, hosts=None, timeoutms=-1):
        """Yields (host, line) from the hosts' sendCmd() output."""
        import select
        hosts = hosts or self.hosts
        poller = select.poll()
        byFd = {}
        for h in hosts:
            byFd[h.stdout.fileno()] = h
            poller.register(h.stdout.fileno(), select.POLLIN)
        while True:
            ready = poller.poll(timeoutms)
            if not ready:
                yield None, ''
                continue
            for fd, _event in ready:
                h = byFd[fd]
                yield h, h.monitor(timeoutms=0)

    # Mininet's class-level setup.

    @classmethod
    def init(cls):
        pass


class _DefaultSwitch(OVSSwitch):
    """The switch when a script names none (Mininet's OVSKernelSwitch): a Linux bridge,
    as plain `mn` gives here; with a RemoteController, swiftnet's user switch."""

    def __repr__(self):
        return Switch.__repr__(self).replace('<_DefaultSwitch', '<OVSSwitch')


class MininetWithControlNet(Mininet):
    def __init__(self, *args, **kwargs):
        raise Unsupported('MininetWithControlNet (a control network)', 'use Mininet with RemoteController')
