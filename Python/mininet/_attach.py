"""``py`` and ``px`` for a shell swiftnet runs itself (``swiftnet --topo ...``): a
Mininet object attached to the run's control socket, evaluating one JSON message per
line from standard input and answering on standard output. Started by swiftnet.

    python3 -m mininet._attach SOCKET
"""

import json
import sys

from mininet import _engine
from mininet.cli import evaluate
from mininet.link import Link
from mininet.net import Mininet
from mininet.node import Host, LinuxBridge, UserSwitch


class _Attached(object):
    """The engine of a run someone else owns: its control API only."""

    def __init__(self, socket):
        self.api = _engine.API(socket)
        info = self.api.call('GET', '/v1/network')
        self.name = info['name']
        self.pid = info['pid']
        self.run = '%s.%s' % (self.name, self.pid)
        self.stopped = False
        self.info = info

    def stop(self):
        if not self.stopped:
            self.stopped = True
            self.api.call('POST', '/v1/stop')


def attach(socket):
    """A Mininet object for the running network behind socket."""
    engine = _Attached(socket)
    net = Mininet(build=False)
    for n in engine.info['nodes']:
        if n['kind'] == 'switch':
            detail = engine.api.call('GET', '/v1/nodes/%s' % n['name'])
            cls = UserSwitch if detail.get('switch_kind') == 'user' else LinuxBridge
            node = cls(n['name'])
            net.switches.append(node)
        else:
            node = Host(n['name'], ip=n.get('ip'))
            node._applied.update(ip=n.get('ip'))
            net.hosts.append(node)
        node.net = net
        net.nameToNode[node.name] = node
    for l in engine.info['links']:
        a, b = net.nameToNode[l['a']], net.nameToNode[l['b']]
        net.links.append(Link(a, b, intfName1=l['a_interface'], intfName2=l['b_interface']))
    for h in net.hosts:
        Mininet._addressDefault(h)
    net.built = True
    net._engine = engine
    net.nextIP = len(net.hosts) + 1
    return net


def main():
    net = attach(sys.argv[1])
    globs = {'__name__': '__swiftnet_shell__'}
    locs = {'net': net}
    for line in sys.stdin:
        message = json.loads(line)
        locs.update(net.nameToNode)
        out, failed = evaluate(message['py'], message.get('statement', False), globs, locs)
        sys.stdout.write(json.dumps({'output': out, 'failed': failed}) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
