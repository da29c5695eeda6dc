"""VLAN interfaces made inside hosts, with ip link and with vconfig (Mininet's
vlanhost example does it so), across a Linux bridge. Needs a kernel with VLAN devices
(8021q); MininetPythonTests asks the kernel before it runs this."""

from check import check, done
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.node import Host
from mininet.topo import SingleSwitchTopo


class VLANHost(Host):
    """A host whose interface carries VLAN 10 (made with vconfig or ip link)."""

    def config(self, vlan=10, tool='ip', **params):
        r = Host.config(self, **params)
        intf = self.defaultIntf()
        self.cmd('ip addr flush dev %s' % intf)
        if tool == 'vconfig':
            self.cmd('vconfig add %s %d' % (intf, vlan))
        else:
            self.cmd('ip link add link %s name %s.%d type vlan id %d' % (intf, intf, vlan, vlan))
        self.cmd('ip addr add %s dev %s.%d && ip link set %s.%d up' % (params['ip'], intf, vlan, intf, vlan))
        intf.name = '%s.%d' % (intf, vlan)
        self.nameToIntf[intf.name] = intf
        return r


setLogLevel('warning')
net = Mininet(topo=SingleSwitchTopo(2), host=VLANHost)
net.hosts[1].params['tool'] = 'vconfig'
net.start()
h1, h2 = net.hosts
check('h1-eth0.10' in h1.cmd('ip -o link'), 'h1 has h1-eth0.10: %r' % h1.cmd('ip -o link'))
check('vlan' in h2.cmd('ip -d link show h2-eth0.10'), 'vconfig made a VLAN interface in h2')
check('1 received' in h1.cmd('ping -c1 -W2', h2.IP()), 'tagged frames cross the bridge')
net.stop()
done('vlan')
