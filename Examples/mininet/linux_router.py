#!/usr/bin/env python3
"""Two subnets and a router between them: h1 reaches h2 with one hop (TTL 63)."""

import sys

from mininet.log import setLogLevel, info
from mininet.net import Mininet
from mininet.node import Node
from mininet.nodelib import LinuxBridge
from mininet.topo import Topo


class Forwarder(Node):
    """A node that forwards IPv4 between its interfaces."""

    def config(self, **params):
        result = super(Forwarder, self).config(**params)
        self.cmd('sysctl -w net.ipv4.ip_forward=1')
        return result


class TwoSubnets(Topo):
    def build(self):
        r = self.addNode('r0', cls=Forwarder, ip='192.168.1.1/24')
        s1, s2 = self.addSwitch('s1'), self.addSwitch('s2')
        self.addLink(s1, r, intfName2='r0-eth1', params2={'ip': '192.168.1.1/24'})
        self.addLink(s2, r, intfName2='r0-eth2', params2={'ip': '172.16.0.1/24'})
        self.addLink(self.addHost('h1', ip='192.168.1.100/24', defaultRoute='via 192.168.1.1'), s1)
        self.addLink(self.addHost('h2', ip='172.16.0.100/24', defaultRoute='via 172.16.0.1'), s2)


def main():
    net = Mininet(topo=TwoSubnets(), switch=LinuxBridge, controller=None)
    net.start()
    out = net['h1'].cmd('ping -c1 -W2 172.16.0.100')
    net.stop()
    info(out)
    return 0 if 'ttl=63' in out else 1


if __name__ == '__main__':
    setLogLevel('info')
    sys.exit(main())
