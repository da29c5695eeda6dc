#!/usr/bin/env python3
"""Experiments and DNS: swiftnet against Mininet and dnsmasq, in one run on this machine.

    python3 Benchmarks/experiment_bench.py --swiftnet .build/release/swiftnet \
        --out Benchmarks/results/experiments.md

1. Time to a first HTTP answer: build three hosts on one switch, start
   `python3 -m http.server 80` in h3, fetch http://<h3>/ from h1 with curl until it
   answers 200, tear down. swiftnet runs it as an experiment file (`swiftnet test`, one
   `start` step with wait_for_port and one `http` step); Mininet 2.3 through its Python
   API (LinuxBridge, no controller), polling curl every 50 ms like wait_for_port. Wall time
   of the whole process, median of --repeat runs. swiftnet is run twice: with its default
   resolver (the embedded DNS server) and with `dns: {policy: host}` on every host, which
   gives the hosts the machine's resolv.conf as Mininet's hosts have it.
2. DNS lookups through a host's resolver: one python3 process inside a host calls
   getaddrinfo("web") N times (glibc: resolv.conf, search list, A and AAAA queries).
   h1 uses swiftnet's embedded server, h2 a dnsmasq node of the same network. The time
   is the `run` step's duration from the JSON report (python3's start-up included, the
   same for both).

Standard library only; run as root.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MININET_SCRIPT = r"""
import sys, time
from mininet.net import Mininet
from mininet.topo import SingleSwitchTopo
from mininet.nodelib import LinuxBridge
from mininet.log import setLogLevel
setLogLevel('error')
net = Mininet(SingleSwitchTopo(3), switch=LinuxBridge, controller=None)
net.start()
h1, h3 = net.get('h1'), net.get('h3')
h3.cmd('python3 -m http.server 80 >/dev/null 2>&1 &')
deadline = time.time() + 60
code = ''
while time.time() < deadline:
    code = h1.cmd('curl -s -o /dev/null -w %%{http_code} --max-time 2 http://%s/' % h3.IP()).strip()
    if code == '200':
        break
    time.sleep(0.05)
net.stop()
sys.exit(0 if code == '200' else 1)
"""

def topology(policy_host):
    dns = "{dns: {policy: host}}" if policy_host else "{}"
    return f"""name: bench-http
hosts:
  h1: {dns}
  h2: {dns}
  h3: {dns}
switches: {{s1: {{}}}}
links: [[h1, s1], [h2, s1], [h3, s1]]
experiment:
  - start: {{on: h3, run: "python3 -m http.server 80", wait_for_port: 80, within: 60s}}
  - http: {{from: h1, url: "http://10.0.0.3/", expect_status: 200}}
"""

def dns_topology(lookups):
    loop = f"python3 -c 'import socket\\nfor i in range({lookups}): socket.getaddrinfo(\\\"web\\\", 80)'"
    return f"""name: bench-dns
domain: lab.test
hosts:
  h1: {{}}
  h2: {{dns: {{policy: none, nameservers: [ns1], search: [lab.test]}}}}
  web: {{}}
  ns1: {{kind: dns, ip: 10.0.0.53/8}}
switches: {{s1: {{}}}}
links: [[h1, s1], [h2, s1], [web, s1], [ns1, s1]]
experiment:
  - run: {{on: h1, cmd: "{loop}"}}
  - run: {{on: h2, cmd: "{loop}"}}
"""

def timed(argv, timeout=300):
    t0 = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    return time.monotonic() - t0, p.returncode, p.stdout

def median_run(argv, repeat):
    times = []
    for _ in range(repeat):
        t, rc, out = timed(argv)
        if rc != 0:
            raise SystemExit(f"failed ({rc}): {' '.join(argv)}\n{out[-2000:]}")
        times.append(t)
        time.sleep(1.0)   # let the kernel finish the previous teardown
    return statistics.median(times), times

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--swiftnet", default=".build/release/swiftnet")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lookups", type=int, default=2000)
    ap.add_argument("--out")
    a = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root")
    tmp = tempfile.mkdtemp(prefix="swiftnet-expbench-")
    rows = []
    try:
        f_emb = os.path.join(tmp, "http-embedded.yaml")
        f_host = os.path.join(tmp, "http-host.yaml")
        open(f_emb, "w").write(topology(False))
        open(f_host, "w").write(topology(True))
        s_emb, s_emb_all = median_run([a.swiftnet, "test", f_emb], a.repeat)
        s_host, s_host_all = median_run([a.swiftnet, "test", f_host], a.repeat)
        m = None
        if shutil.which("mn"):
            script = os.path.join(tmp, "mn_http.py")
            open(script, "w").write(MININET_SCRIPT)
            py = "/usr/bin/python3"
            m, m_all = median_run([py, script], a.repeat)
        lines = ["## Time to a first HTTP answer (build, start python3 -m http.server, curl until 200, teardown)", "",
                 "| tool | median wall (s) | runs (s) | ratio Mininet / this |", "|---|---|---|---|"]
        def fmt(xs):
            return ", ".join(f"{x:.3f}" for x in xs)
        lines.append(f"| swiftnet test (embedded DNS, the default) | {s_emb:.3f} | {fmt(s_emb_all)} | {m / s_emb:.1f}x |" if m else
                     f"| swiftnet test (embedded DNS) | {s_emb:.3f} | {fmt(s_emb_all)} | n/a |")
        lines.append(f"| swiftnet test (dns policy host: the machine's resolv.conf) | {s_host:.3f} | {fmt(s_host_all)} | "
                     + (f"{m / s_host:.1f}x |" if m else "n/a |"))
        if m:
            lines.append(f"| Mininet 2.3 Python API (LinuxBridge) | {m:.3f} | {fmt(m_all)} | 1.0x |")
        lines.append("")

        f_dns = os.path.join(tmp, "dns.yaml")
        open(f_dns, "w").write(dns_topology(a.lookups))
        report = os.path.join(tmp, "dns.json")
        t, rc, out = timed([a.swiftnet, "test", f_dns, "--json", report])
        if rc != 0:
            raise SystemExit(f"DNS benchmark failed:\n{out}")
        steps = json.load(open(report))["files"][0]["steps"]
        emb, dnsmasq = steps[0]["seconds"], steps[1]["seconds"]
        lines += [f"## {a.lookups} getaddrinfo(\"web\") calls in one python3 process inside a host", "",
                  "| server | seconds | per lookup (ms) | ratio dnsmasq / embedded |", "|---|---|---|---|",
                  f"| swiftnet embedded server (127.0.0.11 in the host) | {emb:.3f} | {1000 * emb / a.lookups:.3f} | {dnsmasq / emb:.2f}x |",
                  f"| dnsmasq node (10.0.0.53, across the bridge) | {dnsmasq:.3f} | {1000 * dnsmasq / a.lookups:.3f} | 1.00x |", ""]
        # Switches: iperf3 TCP h1 -> h2 across one switch, Linux bridge vs the user switch.
        rates = {}
        for kind in ["lxbr", "user"]:
            cmds = os.path.join(tmp, f"iperf-{kind}.txt")
            open(cmds, "w").write("iperf h1 h2\nh1 ping -c 20 -i 0.05 -q h2\n")
            p = subprocess.run([a.swiftnet, "--topo", "single,2", "--switch", kind], stdin=open(cmds), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=120)
            import re
            m = re.search(r"Results: \['([\d.]+) (\w)bits/sec'", p.stdout)
            rtt = re.search(r"rtt min/avg/max/mdev = [\d.]+/([\d.]+)/", p.stdout)
            scale = {"G": 1e9, "M": 1e6, "K": 1e3}.get(m.group(2), 1) if m else 0
            rates[kind] = (float(m.group(1)) * scale if m else 0.0, float(rtt.group(1)) if rtt else 0.0)
            time.sleep(1.0)
        lines += ["## One switch, h1 -> h2: iperf3 TCP (hosts' default offloads) and ping RTT", "",
                  "| switch | TCP throughput | ping RTT avg (ms) |", "|---|---|---|",
                  f"| Linux bridge (`--switch lxbr`) | {rates['lxbr'][0] / 1e9:.2f} Gbit/s | {rates['lxbr'][1]:.3f} |",
                  f"| swiftnet user switch (`--switch user`) | {rates['user'][0] / 1e9:.2f} Gbit/s | {rates['user'][1]:.3f} |", ""]

        # Routing: the OSPF failover example's own step timings.
        here = os.path.dirname(os.path.abspath(__file__))
        ospf = os.path.join(os.path.dirname(here), "Examples", "ospf-failover.yaml")
        if os.path.exists("/usr/lib/frr/zebra") and os.path.exists(ospf):
            report = os.path.join(tmp, "ospf.json")
            t, rc, out = timed([a.swiftnet, "test", ospf, "--json", report])
            if rc == 0:
                st = json.load(open(report))["files"][0]
                steps = st["steps"]
                lines += ["## OSPF (FRR) on a triangle of routers: Examples/ospf-failover.yaml", "",
                          "| measure | seconds |", "|---|---|",
                          f"| build (3 routers, 2 hosts, FRR started) | {st['build_seconds']:.3f} |",
                          f"| `converge`: every router has every subnet | {steps[0]['seconds']:.3f} |",
                          f"| after `link r1 r3 down`: path is r1 -> r2 -> r3 | {steps[5]['seconds']:.3f} |",
                          f"| after `link r1 r3 up`: path is r1 -> r3 again | {steps[9]['seconds']:.3f} |",
                          f"| whole `swiftnet test` | {t:.3f} |", ""]
            else:
                lines += ["## OSPF: the example failed", "", "```", out[-1500:], "```", ""]
        text = "\n".join(lines)
        print(text)
        if a.out:
            os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
            with open(a.out, "w") as f:
                f.write(f"# swiftnet experiments benchmark ({time.strftime('%Y-%m-%d %H:%M')})\n\n"
                        f"Command: python3 Benchmarks/experiment_bench.py --swiftnet {a.swiftnet} --repeat {a.repeat} --lookups {a.lookups}\n\n")
                f.write(text + "\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    import machine_state
    with machine_state.kept_sysctls():
        main()
