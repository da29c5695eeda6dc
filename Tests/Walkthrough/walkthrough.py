#!/usr/bin/python3
"""The Mininet walkthrough (mininet.org/walkthrough), step by step, driven with pexpect
against swiftnet started as `mn` (a symlink), the way a Mininet user would type it.

    /usr/bin/python3 Tests/Walkthrough/walkthrough.py MN_PATH [CUSTOM_TOPO.py]

Each step prints `ok NAME` or `FAIL NAME: why`; the exit status is the number failed.
A step that needs a kernel feature this machine lacks prints `skip NAME: why`.
"""

import os
import re
import sys

import pexpect

MN = sys.argv[1]
PROMPT = 'mininet> '
failed = []


def spawn(args, timeout=60):
    return pexpect.spawn(MN, args, encoding='utf-8', timeout=timeout, dimensions=(50, 200))


def shell(args=()):
    p = spawn(list(args))
    p.expect_exact(PROMPT)
    return p


def run(p, line):
    """Sends a command; returns what it printed before the next prompt."""
    p.sendline(line)
    p.expect_exact(PROMPT)
    return p.before


def finish(p):
    p.sendline('exit')
    p.expect(pexpect.EOF)
    p.close()
    return p.exitstatus


def step(f):
    try:
        f()
        print('ok %s' % f.__name__, flush=True)
    except Skip as s:
        print('skip %s: %s' % (f.__name__, s), flush=True)
    except Exception as e:
        failed.append(f.__name__)
        print('FAIL %s: %s: %s' % (f.__name__, type(e).__name__, str(e)[-600:]), flush=True)
    return f


class Skip(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


@step
def usage():
    p = spawn(['-h'])
    p.expect('Usage: mn')
    p.expect(pexpect.EOF)


@step
def display_startup_options():
    p = shell()
    out = run(p, 'help')
    expect('pingall' in out and 'dump' in out, 'help lists the commands: %r' % out[:300])
    nodes = run(p, 'nodes').split()
    expect(sorted(n for n in nodes if re.match(r'^[hs]\d$', n)) == ['h1', 'h2', 's1'], 'nodes: %r' % nodes)
    net = run(p, 'net')
    for n in ('h1 h1-eth0:s1-eth1', 'h2 h2-eth0:s1-eth2', 's1 lo:'):
        expect(n in net, 'net shows %r: %r' % (n, net))
    dump = run(p, 'dump')
    expect(re.search(r'<Host h1: h1-eth0:10\.0\.0\.1 pid=\d+>', dump), 'dump h1: %r' % dump)
    expect(re.search(r'<\w+ s1: lo:127\.0\.0\.1,s1-eth1:None,s1-eth2:None pid=\d+>', dump), 'dump s1: %r' % dump)
    expect(finish(p) == 0, 'exit status')


@step
def host_commands():
    p = shell()
    out = run(p, 'h1 ifconfig -a')
    expect('h1-eth0' in out and 'lo' in out and 's1-eth1' not in out, 'h1 sees only its own: %r' % out)
    out = run(p, 's1 ifconfig -a')
    expect('s1-eth1' in out and 's1-eth2' in out and 'h1-eth0' not in out, 's1 sees the switch ports: %r' % out)
    out = run(p, 'h1 ps -a')
    expect('PID' in out, 'h1 ps runs: %r' % out)
    finish(p)


@step
def test_connectivity():
    p = shell()
    out = run(p, 'h1 ping -c 1 h2')
    expect('1 packets transmitted, 1 received' in out, 'h1 ping h2: %r' % out)
    out = run(p, 'pingall')
    expect('0% dropped' in out, 'pingall: %r' % out)
    finish(p)


@step
def simple_web_server():
    p = shell()
    run(p, 'h1 python3 -m http.server 80 >& /dev/null &')
    out = ''
    for _ in range(50):
        out = run(p, 'h2 curl -s -o /dev/null -w "%{http_code}\\n" h1')
        if '200' in out:
            break
    expect('200' in out, 'h2 gets a page from h1: %r' % out)
    run(p, 'h1 kill %python3')
    out = run(p, 'h1 jobs')
    expect('python3' not in out or 'Terminated' in out, 'kill %%python3 ended the job: %r' % out)
    finish(p)


@step
def regression_tests():
    p = spawn(['--test', 'pingpair'])
    p.expect('0% dropped')
    p.expect(pexpect.EOF)
    p = spawn(['--test', 'iperf'])
    p.expect(r"Results: \['([\d.]+) .bits/sec',")
    expect(float(p.match.group(1)) > 0, 'iperf rate')
    p.expect(pexpect.EOF)


@step
def changing_topology():
    for topo, pings in (('single,3', 6), ('linear,4', 12)):
        p = spawn(['--test', 'pingall', '--topo', topo])
        p.expect(r'(\d+)/(\d+) received')
        expect(int(p.match.group(2)) == pings and p.match.group(1) == p.match.group(2), '%s: %s' % (topo, p.match.group(0)))
        p.expect(pexpect.EOF)


@step
def link_variations():
    p = shell(['--link', 'tc,bw=10'])
    out = run(p, 'iperf')
    m = re.search(r"Results: \['([\d.]+) Mbits/sec',", out)
    expect(m and 9.0 < float(m.group(1)) < 10.5, 'bw=10: %r' % out)
    finish(p)
    # delay: the kernel's netem, or the user switch, which delays frames itself.
    p = shell(['--switch', 'user', '--link', 'tc,bw=10,delay=10ms'])
    out = run(p, 'h1 ping -c 4 h2')
    m = re.search(r'rtt min/avg/max/mdev = [\d.]+/([\d.]+)/', out)
    expect(m and 38 < float(m.group(1)) < 55, '4 x 10 ms on the path: %r' % out)
    finish(p)


@step
def adjustable_verbosity():
    p = spawn(['-v', 'output'])
    p.expect_exact(PROMPT)
    expect(p.before.strip() == '', '-v output prints nothing before the prompt: %r' % p.before)
    finish(p)
    p = spawn(['-v', 'debug', '--test', 'none'])
    p.expect(pexpect.EOF)
    expect('*** Creating network' in p.before and '*** Built in' in p.before, 'debug says each step: %r' % p.before[-400:])


@step
def custom_topologies():
    if len(sys.argv) < 3:
        raise Skip('no custom topology file given')
    p = spawn(['--custom', sys.argv[2], '--topo', 'mytopo', '--test', 'pingall'])
    p.expect('0% dropped')
    p.expect(pexpect.EOF)


@step
def id_equals_mac():
    p = shell(['--mac'])
    for i in (1, 2):
        out = run(p, 'h%d ifconfig' % i)
        expect('ether 00:00:00:00:00:0%d' % i in out, 'h%d MAC: %r' % (i, out))
    finish(p)


@step
def other_switch_types():
    for sw in ('user', 'ovsk'):
        p = spawn(['--switch', sw, '--test', 'iperf'])
        p.expect(r"Results: \['([\d.]+) .bits/sec',")
        expect(float(p.match.group(1)) > 0, sw)
        p.expect(pexpect.EOF)


@step
def mininet_benchmark():
    p = spawn(['--test', 'none'])
    p.expect(r'completed in ([\d.]+) seconds')
    expect(float(p.match.group(1)) < 2, 'build and stop in under 2 s: %s' % p.match.group(1))
    p.expect(pexpect.EOF)


@step
def everything_in_its_own_namespace():
    p = shell(['--innamespace', '--switch', 'user'])
    out = run(p, 'pingall')
    expect('0% dropped' in out, out)
    finish(p)


@step
def python_interpreter():
    p = shell()
    expect('10.0.0.1' in run(p, 'py h1.IP()'), 'py h1.IP()')
    run(p, "px net.addHost('h3')")
    run(p, 'px net.addLink(s1, h3)')
    expect('h3' in run(p, 'net'), 'net shows h3')
    expect(re.search(r'([0-9a-f]{2}:){5}[0-9a-f]{2}', run(p, 'py h3.MAC()')), 'py h3.MAC()')
    out = run(p, 'h1 ping -c 1 10.0.0.3')
    expect('1 received' in out, 'h3 answers: %r' % out)
    finish(p)


@step
def link_up_down():
    p = shell()
    run(p, 'link s1 h1 down')
    out = run(p, 'h1 ping -c 1 -W 1 h2')
    expect('unreachable' in out or '100% packet loss' in out, 'link down: %r' % out)
    run(p, 'link s1 h1 up')
    out = run(p, 'h1 ping -c 1 h2')
    expect(' 0% packet loss' in out, 'link up: %r' % out)
    finish(p)


print('%d failed' % len(failed))
sys.exit(len(failed))
