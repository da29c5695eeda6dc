"""A Linux router between three subnets: hosts reach each other through it (TTL 63)."""

from check import check, done
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.node import Node
from mininet.topo import Topo


class Router(Node):
    def config(self, **params):
        r = Node.config(self, **params)
        self.cmd('sysctl -q net.ipv4.ip_forward=1')
        return r


class Triangle(Topo):
    def build(self):
        r = self.addNode('r1', cls=Router, ip='10.1.0.1/24')
        for i in (1, 2, 3):
            s = self.addSwitch('s%d' % i)
            self.addLink(s, r, intfName2='r1-eth%d' % i, params2={'ip': '10.%d.0.1/24' % i})
            self.addLink(self.addHost('h%d' % i, ip='10.%d.0.100/24' % i, defaultRoute='via 10.%d.0.1' % i), s)


setLogLevel('warning')
net = Mininet(topo=Triangle(), controller=None)
net.start()
r1 = net['r1']
check(r1.intfNames() == ['r1-eth1', 'r1-eth2', 'r1-eth3'], 'router interfaces %r' % r1.intfNames())
check('10.3.0.1/24' in r1.cmd('ip -4 addr show r1-eth3'), 'params2 ip on the third interface')
out = net['h1'].cmd('ping -c1 -W2 10.3.0.100')
check('ttl=63' in out, 'h1 to h3 across the router, TTL 63: %r' % out)
check(net.pingAll() == 0.0, 'every host reaches every other (and the router)')
net.stop()
done('router')
