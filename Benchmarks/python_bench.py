#!/usr/bin/env python3
"""The same Mininet Python scripts under Mininet 2.3 and under `swiftnet python`, side
by side, in one run on this machine.

    python3 Benchmarks/python_bench.py --swiftnet .build/release/swiftnet \
        --out Benchmarks/results/python.md [--quick]

Each script uses only Mininet's API (Linux bridges, no controller, as Benchmarks/bench.py
compares the command lines): build and start, net.pingAll(), net.stop(), for
linear,100 and tree,depth=3,fanout=4; and a TCLink (bw=10) iperf (2) between two hosts, started by hand in both.
Mininet runs it with Debian's python3 and its own package; swiftnet runs the very same
file with `swiftnet python`. Times are wall-clock seconds measured inside the script
(time.monotonic around each phase) and for the whole process. --quick runs linear,20 and
tree,depth=2,fanout=3 instead.

Standard library only; must run as root. Exit status is non-zero when a swiftnet run failed.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

SCRIPT = r'''
import json, sys, time
t0 = time.monotonic()
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.link import TCLink
from mininet.topo import LinearTopo, SingleSwitchTopo
from mininet.topolib import TreeTopo
from mininet.log import setLogLevel
setLogLevel('warning')
kind = sys.argv[1]
if kind == 'linear':
    topo = LinearTopo(int(sys.argv[2]))
elif kind == 'tree':
    topo = TreeTopo(depth=int(sys.argv[2]), fanout=int(sys.argv[3]))
else:
    topo = SingleSwitchTopo(2, lopts={'bw': 10})
t1 = time.monotonic()
from mininet.link import Link
net = Mininet(topo=topo, switch=LinuxBridge, controller=None, link=TCLink if kind == 'iperf' else Link)
net.start()
t2 = time.monotonic()
result = {}
if kind == 'iperf':
    # Not net.iperf(): Mininet's waits for the server with telnet -e, which Debian 12's
    # telnet reads differently, and never returns. The same steps for both tools.
    import re
    h1, h2 = net.hosts
    server = h2.popen('iperf -s -p 5001')
    for _ in range(50):
        if '5001' in h2.cmd('ss -ltn'):
            break
        time.sleep(0.1)
    out = h1.cmd('iperf -c %s -p 5001 -t 5 -f m' % h2.IP())
    server.terminate()
    result['iperf'] = re.findall(r'[\d.]+ Mbits/sec', out)[-1:]
else:
    result['loss'] = net.pingAll()
t3 = time.monotonic()
net.stop()
t4 = time.monotonic()
result.update(build=t2 - t1, measure=t3 - t2, stop=t4 - t3, total=t4 - t0)
print('RESULT ' + json.dumps(result), flush=True)
'''


def run(argv, timeout, env=None):
    t = time.monotonic()
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, time.monotonic() - t, 'timed out after %d s' % timeout
    wall = time.monotonic() - t
    for line in p.stdout.splitlines():
        if line.startswith('RESULT '):
            return json.loads(line[7:]), wall, None
    return None, wall, 'status %d: %s' % (p.returncode, (p.stderr or p.stdout)[-400:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--swiftnet', required=True)
    ap.add_argument('--out')
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--timeout', type=float, default=900)
    ap.add_argument('--runs', type=int, default=3, help='runs of each pingAll script per tool (the median is shown)')
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit('python_bench.py: run as root (both tools build namespaces)')
    cases = ([('linear,20', ['linear', '20']), ('tree,depth=2,fanout=3', ['tree', '2', '3'])] if args.quick else
             [('linear,100', ['linear', '100']), ('tree,depth=3,fanout=4', ['tree', '3', '4'])])
    cases.append(('TCLink bw=10, iperf 5 s', ['iperf']))
    work = tempfile.mkdtemp(prefix='swiftnet-pybench-')
    script = os.path.join(work, 'script.py')
    with open(script, 'w') as f:
        f.write(SCRIPT)
    # Both run Debian's python3: Mininet's by its path, swiftnet's as `python3` on a PATH
    # like sudo's secure_path (a pyenv shim first on PATH costs ~0.17 s a start).
    mininet_env = dict(os.environ)
    mininet_env.pop('PYTHONPATH', None)
    swiftnet_env = dict(mininet_env, PATH='/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
    rows, failed = [], False

    def median_run(runs):
        """The run with the median whole time (failed runs count as the slowest)."""
        ok = sorted((r for r in runs if r[0] is not None), key=lambda r: r[1])
        if len(ok) < len(runs):
            return next(r for r in runs if r[0] is None)
        return ok[len(ok) // 2]

    for label, argv in cases:
        mn_runs, sn_runs = [], []
        for _ in range(args.runs if not label.startswith('TCLink') else 1):
            machine_state.settle()
            mn_runs.append(run(['/usr/bin/python3', script] + argv, args.timeout, env=mininet_env))
            machine_state.restore()  # Mininet's fixLimits() raised the machine's limits
            machine_state.settle()   # the kernel still frees the namespaces Mininet left
            sn_runs.append(run([args.swiftnet, 'python', script] + argv, args.timeout, env=swiftnet_env))
            print(label, 'mininet', mn_runs[-1][1], mn_runs[-1][2] or '', '| swiftnet', sn_runs[-1][1],
                  sn_runs[-1][2] or '', flush=True)
        mn, mn_wall, mn_err = median_run(mn_runs)
        sn, sn_wall, sn_err = median_run(sn_runs)
        failed = failed or sn is None
        walls = ' / '.join('%.2f' % r[1] for r in mn_runs), ' / '.join('%.2f' % r[1] for r in sn_runs)
        rows.append((label, mn, mn_wall, mn_err, sn, sn_wall, sn_err, walls))
    os.remove(script)
    os.rmdir(work)

    def cell(r, key):
        return '%.2f' % r[key] if r and key in r else '—'

    lines = ['# Mininet Python scripts: Mininet 2.3 vs `swiftnet python`', '',
             'Made by `python3 Benchmarks/python_bench.py --swiftnet %s%s` on %s, %s, %d CPUs.' % (
                 args.swiftnet, ' --quick' if args.quick else '', datetime.date.today(), platform.release(), os.cpu_count()),
             '', 'Seconds. build = Mininet(topo) and start(); measure = pingAll() (or iperf); whole = the process, '
             'interpreter start included. Each pingAll script ran %d times per tool, alternating; the table shows the '
             'median run (by whole time), and the whole times of every run. '
             'Ratio = Mininet / swiftnet, median whole process. Both run /usr/bin/python3; '
             'before each run the machine is left to go idle (the kernel frees namespaces after a run ends), '
             'and the sysctls Mininet raises are put back before swiftnet runs.' % args.runs, '',
             '| script | Mininet build | swiftnet build | Mininet measure | swiftnet measure | Mininet stop | swiftnet stop | Mininet whole | swiftnet whole | ratio | Mininet whole, each run | swiftnet whole, each run |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for label, mn, mn_wall, mn_err, sn, sn_wall, sn_err, walls in rows:
        ratio = '%.1fx' % (mn_wall / sn_wall) if mn and sn else '—'
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            label, cell(mn, 'build'), cell(sn, 'build'), cell(mn, 'measure'), cell(sn, 'measure'),
            cell(mn, 'stop'), cell(sn, 'stop'), '%.2f' % mn_wall if mn else 'failed', '%.2f' % sn_wall if sn else 'failed', ratio,
            walls[0], walls[1]))
        for who, r, err in (('Mininet', mn, mn_err), ('swiftnet', sn, sn_err)):
            if err:
                lines.append('| | %s failed: %s |' % (who, err.replace('|', '/').replace('\n', ' ')[:300]))
            elif r and 'loss' in r and r['loss']:
                lines.append('| | %s pingAll lost %.1f %% |' % (who, r['loss']))
            elif r and 'iperf' in r:
                lines.append('| | %s iperf: %s |' % (who, ', '.join(r['iperf'])))
    text = '\n'.join(lines) + '\n'
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(args.out) or '.', exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import machine_state
    with machine_state.kept_sysctls():
        main()
