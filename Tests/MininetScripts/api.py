"""The Mininet API a typical script uses: nodes and links before and after start,
addresses, the persistent shell, sendCmd/monitor/waitOutput, pings, link status,
static ARP, privateDirs, and the node lookups."""

import contextlib
import io
import os
import re

from check import check, done
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.util import dumpNodeConnections

setLogLevel('warning')
net = Mininet(switch=LinuxBridge, controller=None, autoSetMacs=True, autoStaticArp=True)
h1 = net.addHost('h1')
h2 = net.addHost('h2', ip='10.0.0.22/8')
h4 = net.addHost('h4', privateDirs=['/var/tmp'])
s1 = net.addSwitch('s1')
for h in (h1, h2, h4):
    net.addLink(h, s1)
net.start()

check(h1.IP() == '10.0.0.1', 'h1.IP() is %r' % h1.IP())
check(h2.IP() == '10.0.0.22', 'h2.IP() is %r' % h2.IP())
check(h1.MAC() == '00:00:00:00:00:01', 'autoSetMacs: h1.MAC() is %r' % h1.MAC())
check(h1.intfNames() == ['h1-eth0'], 'h1.intfNames() %r' % h1.intfNames())
check(s1.intfNames() == ['s1-eth1', 's1-eth2', 's1-eth3'], 's1.intfNames() %r' % s1.intfNames())
check([(str(a), str(b)) for a, b in h1.connectionsTo(s1)] == [('h1-eth0', 's1-eth1')], 'connectionsTo')
check(str(h1.defaultIntf()) == 'h1-eth0', 'defaultIntf')
check('PERMANENT' in h1.cmd('ip neigh show 10.0.0.22'), 'autoStaticArp: %r' % h1.cmd('ip neigh show'))
check(re.match(r'<Host h1: h1-eth0:10\.0\.0\.1 pid=\d+> ', repr(h1)) is not None, 'repr(h1) %r' % repr(h1))

# The node's bash persists: directory, variables, background jobs.
h1.cmd('cd /tmp; export FOO=bar')
check(h1.cmd('pwd').strip() == '/tmp', 'cd persists')
check(h1.cmd('echo $FOO').strip() == 'bar', 'variables persist')
h1.cmd('sleep 30 &')
check('sleep 30' in h1.cmd('jobs'), 'a background job is listed: %r' % h1.cmd('jobs'))
h1.cmd('kill %sleep; wait')
check('sleep' not in h1.cmd('jobs'), 'kill %sleep ends it')
check(h1.cmd('echo $((6 * 7)) >&2').strip() == '42', 'stderr comes with stdout (>& works)')

# sendCmd, monitor, waitOutput.
h1.sendCmd('echo one; sleep 0.3; echo two')
check(h1.waiting, 'waiting after sendCmd')
out = h1.waitOutput()
check('one' in out and 'two' in out and not h1.waiting, 'waitOutput %r' % out)
h2.sendCmd('for i in 1 2 3; do echo line$i; sleep 0.2; done')
pieces = []
while h2.waiting:
    pieces.append(h2.monitor(timeoutms=2000))
check('line3' in ''.join(pieces) and len([p for p in pieces if p]) >= 2, 'monitor streams: %r' % pieces)
h2.sendCmd('sleep 20')
h2.sendInt()
h2.waitOutput()
check(not h2.waiting, 'sendInt stops the command')
check(h2.cmd('echo after').strip() == 'after', 'the shell works after sendInt')

# Pings.
check(net.pingAll() == 0.0, 'pingAll loses nothing')
full = net.pingAllFull()
check(len(full) == 6 and all(r[2][0] == 1 and r[2][1] == 1 for r in full), 'pingAllFull %r' % full[:2])
net.configLinkStatus('s1', 'h2', 'down')
check(net.ping([h1, h2], timeout=1) == 100.0, 'ping over a link that is down fails')
check('unreachable' in h1.cmd('ping -c1 -W1 10.0.0.22') or '100% packet loss' in h1.cmd('ping -c1 -W1 10.0.0.22'),
      "ping's own text after link down")
net.configLinkStatus('s1', 'h2', 'up')
check(net.ping([h1, h2]) == 0.0, 'ping after the link is up again')

# Nodes and links added to the running network.
h3 = net.addHost('h3')
net.addLink(h3, s1)
check(h3.IP() == '10.0.0.4', 'a runtime host gets the next address: %r' % h3.IP())
check(net.ping([h1, h3]) == 0.0, 'a runtime host is reachable')
h3.setIP('10.0.0.33/8')
check(h3.IP() == '10.0.0.33' and '10.0.0.33/8' in h3.cmd('ip -4 addr show h3-eth0'), 'setIP')
check(net.ping([h1, h3]) == 0.0, 'reachable at its new address')
s2 = net.addSwitch('s2')
h5 = net.addHost('h5')
net.addLink(s1, s2)
net.addLink(h5, s2)
check(net.ping([h1, h5]) == 0.0, 'a runtime switch and host behind it')

# privateDirs: the host sees a directory of its own; the machine does not.
h4.cmd('touch /var/tmp/swiftnet-private-test')
check(h4.cmd('ls /var/tmp').strip() == 'swiftnet-private-test', 'privateDirs: an empty /var/tmp of its own: %r' % h4.cmd('ls /var/tmp'))
check('No such file' in h1.cmd('ls /var/tmp/swiftnet-private-test'), 'other hosts do not see it')
check(not os.path.exists('/var/tmp/swiftnet-private-test'), 'the machine does not see it')

# Lookups.
check(net.get('h1') is h1 and net['s1'] is s1 and net.getNodeByName('h1', 'h2') == [h1, h2], 'lookups')
check(list(net) == ['h1', 'h2', 'h4', 'h3', 'h5', 's1', 's2'], 'iteration %r' % list(net))
check('h2' in net and 'nope' not in net, 'in')
buf = io.StringIO()
setLogLevel('output')
with contextlib.redirect_stderr(buf):
    dumpNodeConnections([h1, s1])
check(buf.getvalue().startswith('h1 h1-eth0:s1-eth1\ns1 s1-eth1:h1-eth0 s1-eth2:h2-eth0'), 'dumpNodeConnections %r' % buf.getvalue())
setLogLevel('warning')
net.stop()
done('api')
