"""TCLink shaping measured with iperf: bw at the build, and changed on a running link
with intf.config(). (delay, jitter and loss need sch_netem, which some kernels lack.)"""

from check import check, done
from mininet.link import TCLink
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topo import Topo


class Pair(Topo):
    def build(self):
        s1 = self.addSwitch('s1')
        self.addLink(self.addHost('h1'), s1, bw=10)
        self.addLink(self.addHost('h2'), s1)


def mbits(rate):
    value, unit = rate.split()
    return float(value) * {'Gbits/sec': 1000, 'Mbits/sec': 1, 'Kbits/sec': 0.001}[unit]


setLogLevel('warning')
net = Mininet(topo=Pair(), link=TCLink, switch=LinuxBridge, controller=None)
net.start()
h1, h2 = net['h1'], net['h2']
server, client = net.iperf([h1, h2], seconds=3)
check(9.0 <= mbits(server) <= 11.0, 'bw=10 gives 10 Mbit/s +-10%%: server %s, client %s' % (server, client))
link = net.links[0]
link.intf1.config(bw=5)
server, client = net.iperf([h1, h2], seconds=3)
check(4.5 <= mbits(server) <= 5.5, 'intf.config(bw=5) gives 5 Mbit/s +-10%%: %s' % server)
udp = net.iperf([h1, h2], l4Type='UDP', udpBw='3M', seconds=2)
check(udp[0] == '3M' and 2.7 <= mbits(udp[1]) <= 3.3, 'UDP at 3M under a 5M link: %r' % udp)
net.stop()
done('tclink')
