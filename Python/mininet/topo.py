"""Mininet's topologies: a ``Topo`` is a graph of named hosts, switches and links with
their options; ``Mininet(topo=...)`` builds it. Subclasses override ``build()``.
"""

from mininet.util import irange, natural, naturalSeq


def _caller():
    from mininet.net import _caller as where
    return where()


class MultiGraph(object):
    """Nodes with attributes, and edges (several per pair allowed) with keys and attributes."""

    def __init__(self):
        self.node = {}
        self.edge = {}

    def add_node(self, node, attr_dict=None, **attrs):
        attr_dict = {} if attr_dict is None else dict(attr_dict)
        attr_dict.update(attrs)
        self.node[node] = attr_dict

    def add_edge(self, src, dst, key=None, attr_dict=None, **attrs):
        attr_dict = {} if attr_dict is None else dict(attr_dict)
        attr_dict.update(attrs)
        self.node.setdefault(src, {})
        self.node.setdefault(dst, {})
        self.edge.setdefault(src, {}).setdefault(dst, {})
        self.edge.setdefault(dst, {}).setdefault(src, {})
        entry = self.edge[dst][src] = self.edge[src][dst]
        if key is None:
            key = len(entry)
            while key in entry:
                key += 1
        entry[key] = attr_dict
        return key

    def nodes(self, data=False):
        return list(self.node.items()) if data else list(self.node.keys())

    def edges_iter(self, data=False, keys=False):
        seen = set()
        for src, entry in self.edge.items():
            for dst, keyed in entry.items():
                if (dst, src) in seen:
                    continue
                seen.add((src, dst))
                for k, attrs in keyed.items():
                    if data and keys:
                        yield src, dst, k, attrs
                    elif data:
                        yield src, dst, attrs
                    elif keys:
                        yield src, dst, k
                    else:
                        yield src, dst

    def edges(self, data=False, keys=False):
        return list(self.edges_iter(data, keys))

    def __getitem__(self, node):
        return self.edge.get(node, {})

    def convertTo(self, cls, data=False, keys=False):
        g = cls()
        for n, attrs in self.node.items():
            g.add_node(n, attrs)
        for edge in self.edges_iter(data=True, keys=True):
            src, dst, k, attrs = edge
            g.add_edge(src, dst, k, attrs)
        return g


class Topo(object):
    """A network topology: hosts, switches and links, and each one's options."""

    def __init__(self, *args, **params):
        self.g = MultiGraph()
        self.hopts = params.pop('hopts', {})
        self.sopts = params.pop('sopts', {})
        self.lopts = params.pop('lopts', {})
        self.ports = {}
        self.where = {}
        self.build(*args, **params)

    def build(self, *args, **params):
        """Override to add the nodes and links."""

    def addNode(self, name, **opts):
        self.g.add_node(name, **opts)
        self.where.setdefault(('node', name), _caller())
        return name

    def addHost(self, name, **opts):
        if not opts and self.hopts:
            opts = self.hopts
        return self.addNode(name, **opts)

    def addSwitch(self, name, **opts):
        if not opts and self.sopts:
            opts = self.sopts
        return self.addNode(name, isSwitch=True, **opts)

    def addLink(self, node1, node2, port1=None, port2=None, key=None, **opts):
        if not opts and self.lopts:
            opts = self.lopts
        port1, port2 = self.addPort(node1, node2, port1, port2)
        opts = dict(opts)
        opts.update(node1=node1, node2=node2, port1=port1, port2=port2)
        key = self.g.add_edge(node1, node2, key, opts)
        self.where[('link', node1, node2, key)] = _caller()
        return key

    def nodes(self, sort=True):
        names = self.g.nodes()
        return self.sorted(names) if sort else names

    def isSwitch(self, n):
        return self.g.node[n].get('isSwitch', False)

    def switches(self, sort=True):
        return [n for n in self.nodes(sort) if self.isSwitch(n)]

    def hosts(self, sort=True):
        return [n for n in self.nodes(sort) if not self.isSwitch(n)]

    def iterLinks(self, withKeys=False, withInfo=False):
        for _src, _dst, key, info in self.g.edges_iter(data=True, keys=True):
            node1, node2 = info['node1'], info['node2']
            if withKeys and withInfo:
                yield node1, node2, key, info
            elif withKeys:
                yield node1, node2, key
            elif withInfo:
                yield node1, node2, info
            else:
                yield node1, node2

    def links(self, sort=False, withKeys=False, withInfo=False):
        links = list(self.iterLinks(withKeys, withInfo))
        if not sort:
            return links
        return sorted(links, key=lambda l: naturalSeq(l[:2]))

    def addPort(self, src, dst, sport=None, dport=None):
        """Port numbers for a new link: hosts count from 0, switches from 1."""
        ports = self.ports
        srcBase = 1 if self.isSwitch(src) else 0
        dstBase = 1 if self.isSwitch(dst) else 0
        if sport is None:
            sport = len(ports.get(src, {})) + srcBase
        if dport is None:
            dport = len(ports.get(dst, {})) + dstBase
        ports.setdefault(src, {})[sport] = (dst, dport)
        ports.setdefault(dst, {})[dport] = (src, sport)
        return sport, dport

    def port(self, src, dst):
        """The ports of the links between src and dst: (sport, dport), or a list of them."""
        found = []
        for sport, (node, dport) in sorted(self.ports.get(src, {}).items()):
            if node == dst:
                found.append((sport, dport))
        if not found:
            raise KeyError('%s and %s are not linked' % (src, dst))
        return found[0] if len(found) == 1 else found

    def _linkEntry(self, src, dst, key=None):
        entry = self.g[src][dst]
        if key is None:
            key = min(entry)
        return entry, key

    def linkInfo(self, src, dst, key=None):
        entry, key = self._linkEntry(src, dst, key)
        return entry[key]

    def setlinkInfo(self, src, dst, info, key=None):
        entry, key = self._linkEntry(src, dst, key)
        entry[key] = info

    def nodeInfo(self, name):
        return self.g.node[name]

    def setNodeInfo(self, name, info):
        self.g.node[name] = dict(info)

    def convertTo(self, cls, data=True, keys=True):
        return self.g.convertTo(cls, data=data, keys=keys)

    @staticmethod
    def sorted(items):
        return sorted(items, key=natural)


class SingleSwitchTopo(Topo):
    """k hosts on one switch."""

    def build(self, k=2, **_opts):
        self.k = k
        switch = self.addSwitch('s1')
        for h in irange(1, k):
            host = self.addHost('h%s' % h)
            self.addLink(host, switch)


class SingleSwitchReversedTopo(Topo):
    """k hosts on one switch, host i on port k - i + 1."""

    def build(self, k=2):
        switch = self.addSwitch('s1')
        for h in irange(1, k):
            host = self.addHost('h%s' % h)
            self.addLink(host, switch, port1=0, port2=(k - h + 1))


class MinimalTopo(SingleSwitchTopo):
    """Two hosts on one switch."""

    def build(self):
        return SingleSwitchTopo.build(self, k=2)


class LinearTopo(Topo):
    """k switches in a line, n hosts on each."""

    def build(self, k=2, n=1, **_opts):
        self.k = k
        self.n = n
        if n == 1:
            def genHostName(i, _j):
                return 'h%s' % i
        else:
            def genHostName(i, j):
                return 'h%ss%d' % (j, i)
        lastSwitch = None
        for i in irange(1, k):
            switch = self.addSwitch('s%s' % i)
            for j in irange(1, n):
                host = self.addHost(genHostName(i, j))
                self.addLink(host, switch)
            if lastSwitch:
                self.addLink(switch, lastSwitch)
            lastSwitch = switch
