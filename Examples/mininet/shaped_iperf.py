#!/usr/bin/env python3
"""Two hosts, one link shaped to 10 Mbit/s (TCLink), measured with iperf."""

import sys

from mininet.link import TCLink
from mininet.log import setLogLevel, info
from mininet.net import Mininet
from mininet.node import LinuxBridge


def main():
    net = Mininet(switch=LinuxBridge, controller=None, link=TCLink)
    h1, h2 = net.addHost('h1'), net.addHost('h2')
    s1 = net.addSwitch('s1')
    net.addLink(h1, s1, bw=10)
    net.addLink(h2, s1)
    net.start()
    server, client = net.iperf([h1, h2], seconds=3)
    net.stop()
    value, unit = server.split()
    mbits = float(value) * {'Gbits/sec': 1000, 'Mbits/sec': 1, 'Kbits/sec': 0.001}[unit]
    info('measured %.2f Mbit/s through a 10 Mbit/s link\n' % mbits)
    return 0 if 8.5 <= mbits <= 10.5 else 1


if __name__ == '__main__':
    setLogLevel('info')
    sys.exit(main())
