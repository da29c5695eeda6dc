#!/usr/bin/env python3
"""Four hosts on one Linux bridge: ping every pair, take h4's link down, ping again."""

import sys

from mininet.log import setLogLevel, info
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topo import SingleSwitchTopo


def main():
    net = Mininet(topo=SingleSwitchTopo(4), switch=LinuxBridge, controller=None)
    net.start()
    loss = net.pingAll()
    net.configLinkStatus('s1', 'h4', 'down')
    cut = net.ping([net['h1'], net['h4']], timeout=1)
    net.configLinkStatus('s1', 'h4', 'up')
    back = net.ping([net['h1'], net['h4']])
    net.stop()
    info('loss %s, with the link down %s, up again %s\n' % (loss, cut, back))
    return 0 if loss == 0 and cut == 100 and back == 0 else 1


if __name__ == '__main__':
    setLogLevel('info')
    sys.exit(main())
