"""popen(), pexec() and pmonitor(): programs in hosts as local processes."""

import signal
import time

from check import check, done
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.topo import SingleSwitchTopo
from mininet.util import pmonitor, waitListening

setLogLevel('warning')
net = Mininet(topo=SingleSwitchTopo(3))
net.start()
h1, h2, h3 = net.hosts
out, err, code = h1.pexec('ping', '-c1', '-W1', h2.IP())
check(code == 0 and '1 received' in out, 'pexec ping: %r %r %r' % (code, out, err))
out, err, code = h1.pexec('sh -c "exit 3"', shell=True)
check(code == 3, 'pexec exit status: %r' % code)
out, err, code = h1.pexec(['ls', '/nonexistent-swiftnet'])
check(code != 0 and 'nonexistent' in err, 'pexec stderr apart: %r' % err)
check(h2.pexec('ip -o link show')[0].count('h2-eth0') == 1 and 'h1-eth0' not in h2.pexec('ip -o link show')[0],
      'popen runs in the host namespace')

popens = {h: h.popen('ping -c3 -i0.2 %s' % h3.IP()) for h in (h1, h2)}
lines = {h1: [], h2: []}
for host, line in pmonitor(popens, timeoutms=500):
    if host:
        lines[host].append(line)
for h in (h1, h2):
    check(any('3 received' in l for l in lines[h]), '%s pmonitor lines: %r' % (h, lines[h][-2:]))

server = h3.popen('iperf -s -p 5001')
check(waitListening(h1, h3, 5001, timeout=5), 'waitListening sees iperf listen')
endless = h1.popen('ping', h3.IP())
time.sleep(0.5)
endless.send_signal(signal.SIGINT)
endless.wait(timeout=5)
check(endless.returncode is not None, 'SIGINT ends a popen')
server.terminate()
server.wait(timeout=5)
for _ in range(30):
    if 'iperf' not in h3.cmd('pgrep -x iperf; true') and not h3.cmd('pgrep -x iperf').strip():
        break
    time.sleep(0.1)
check(not h3.cmd('pgrep -x iperf').strip(), 'terminate() ends the program in the host')
net.stop()
done('popen')
