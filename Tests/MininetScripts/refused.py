"""What swiftnet does not have ends a script with one line and status 2 (argv[1] picks)."""

import sys

from mininet.net import Mininet
from mininet.node import OVSSwitch
from mininet.topo import SingleSwitchTopo

what = sys.argv[1]
if what == 'nat':
    net = Mininet(topo=SingleSwitchTopo(2))
    net.addNAT()
elif what == 'xterms':
    Mininet(topo=SingleSwitchTopo(2), xterms=True)
elif what == 'vsctl':
    net = Mininet(topo=SingleSwitchTopo(2), switch=OVSSwitch)
    net.start()
    net['s1'].cmd('ovs-vsctl set bridge s1 stp-enable=true')
elif what == 'badlink':
    net = Mininet()
    h1 = net.addHost('h1')
    s1 = net.addSwitch('s1')
    net.addLink(h1, s1, intfName1='this-name-is-far-too-long')
    net.start()
print('not refused')
