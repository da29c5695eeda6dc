"""The walkthrough's custom topology: two hosts, each on its own switch, the switches
linked (h1 - s3 - s4 - h2). `--custom THIS --topo mytopo`."""

from mininet.topo import Topo


class TwoSwitchesTwoHosts(Topo):
    def build(self):
        left, right = self.addHost('h1'), self.addHost('h2')
        s3, s4 = self.addSwitch('s3'), self.addSwitch('s4')
        self.addLink(left, s3)
        self.addLink(s3, s4)
        self.addLink(s4, right)


topos = {'mytopo': (lambda: TwoSwitchesTwoHosts())}
