#!/bin/bash
# Checks l2_learning.py against a private Open vSwitch (userspace datapath):
# two namespaces behind one OpenFlow 1.3 bridge must ping each other, and
# the controller must have installed the table-miss and learned flows.
#
# Needs root, openvswitch-switch (no daemon need run; no kernel module) and
# os-ken in $OSKEN_VENV (`make controllers`). Everything it starts or makes
# is private to this run and removed on exit, error or not.
#
#   sudo Tests/IntegrationTests/Controllers/verify_with_ovs.sh
#
# PORT (default 16653) is the controller's TCP port on 127.0.0.1 of the
# run's own namespace. SWIFTNET_L2_IDLE_TIMEOUT, if set, reaches the app and
# the learned flows must show it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
OSKEN_VENV=${OSKEN_VENV:-/opt/swiftnet-venv}
PORT=${PORT:-16653}
DPID=00000000000000a1

tag=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
# The switch and the controller run in a namespace of their own: the
# userspace datapath makes a persistent tap "ovs-netdev" that exiting leaves
# behind, and in a namespace it goes when the namespace goes.
nssw=swn-sw-$tag
ns1=swn-h1-$tag
ns2=swn-h2-$tag
br=br0
tmp=$(mktemp -d /tmp/swiftnet-osken.XXXXXX)
export OVS_RUNDIR=$tmp/run OVS_DBDIR=$tmp/db OVS_LOGDIR=$tmp/log OVS_SYSCONFDIR=$tmp/etc
mkdir -p "$OVS_RUNDIR" "$OVS_DBDIR" "$OVS_LOGDIR" "$OVS_SYSCONFDIR"

ctl_pid= vswitchd_pid= ovsdb_pid=

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Waits up to 5 s for one PID to end, sending SIGTERM first unless told to
# just wait, then SIGKILL.
stop_pid() {
	local pid=$1 how=${2:-term}
	alive "$pid" || return 0
	[ "$how" = wait ] || kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do alive "$pid" || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	set +e
	trap '' INT TERM # a signal now must not cut the cleanup short
	if alive "$vswitchd_pid"; then
		timeout 5 ovs-appctl -t "$OVS_RUNDIR/ovs-vswitchd.ctl" exit --cleanup >/dev/null 2>&1
		stop_pid "$vswitchd_pid" wait
	fi
	stop_pid "$ctl_pid"
	stop_pid "$ovsdb_pid"
	for ns in "$nssw" "$ns1" "$ns2"; do
		ip netns list | grep -q "^$ns\( \|$\)" && ip netns del "$ns"
	done
	if [ "$rc" -ne 0 ]; then
		echo "--- controller log"; cat "$tmp/controller.log" 2>/dev/null
		echo "--- daemons' stderr"; cat "$tmp/daemons.err" 2>/dev/null
		echo "--- ovs-vswitchd log"; tail -n 30 "$OVS_LOGDIR/ovs-vswitchd.log" 2>/dev/null
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

listening() { ip netns exec "$nssw" ss -ltn "sport = :$PORT" | grep -q LISTEN; }

ip netns add "$nssw"
ip -n "$nssw" link set lo up

# 1. The controller. Ready once its port listens.
t0=$(date +%s.%N)
ip netns exec "$nssw" "$OSKEN_VENV/bin/osken-manager" \
	--ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$PORT" \
	"$here/l2_learning.py" >"$tmp/controller.log" 2>&1 &
ctl_pid=$!
for _ in $(seq 300); do
	alive "$ctl_pid" || fail "osken-manager exited"
	listening && break
	sleep 0.05
done
listening || fail "osken-manager not listening after 15 s"
printf 'controller listening after %.2f s\n' "$(echo "$(date +%s.%N) - $t0" | bc)"

# 2. A private ovsdb-server and ovs-vswitchd.
ovsdb-tool create "$OVS_DBDIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$OVS_DBDIR/conf.db" --remote="punix:$OVS_RUNDIR/db.sock" \
	--unixctl="$OVS_RUNDIR/ovsdb-server.ctl" --pidfile="$OVS_RUNDIR/ovsdb-server.pid" \
	--log-file="$OVS_LOGDIR/ovsdb-server.log" --no-chdir --detach 2>>"$tmp/daemons.err"
ovsdb_pid=$(cat "$OVS_RUNDIR/ovsdb-server.pid")
vsctl() { ovs-vsctl --db="unix:$OVS_RUNDIR/db.sock" --timeout=10 "$@"; }
vsctl --no-wait init
ip netns exec "$nssw" ovs-vswitchd "unix:$OVS_RUNDIR/db.sock" \
	--unixctl="$OVS_RUNDIR/ovs-vswitchd.ctl" --pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
	--log-file="$OVS_LOGDIR/ovs-vswitchd.log" --no-chdir --detach 2>>"$tmp/daemons.err"
vswitchd_pid=$(cat "$OVS_RUNDIR/ovs-vswitchd.pid")

# 3. The bridge, with only the controller to tell it what to do.
vsctl add-br "$br" -- set bridge "$br" datapath_type=netdev protocols=OpenFlow13 \
	fail_mode=secure other-config:datapath-id=$DPID other-config:disable-in-band=true
vsctl set-controller "$br" "tcp:127.0.0.1:$PORT"

# 4. Two hosts, each a namespace whose eth0 is a veth to port h<N> of the bridge.
i=0
for ns in "$ns1" "$ns2"; do
	i=$((i + 1))
	ip netns add "$ns"
	ip -n "$nssw" link add "h$i" type veth peer name eth0 netns "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$ns" addr add "10.0.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	ip -n "$nssw" link set "h$i" up
	vsctl add-port "$br" "h$i"
done

connected="swiftnet-l2: switch $DPID connected"
for _ in $(seq 100); do
	grep -q "$connected" "$tmp/controller.log" && break
	sleep 0.1
done
grep -q "$connected" "$tmp/controller.log" || fail "switch never connected"
echo "$connected"

# 5. Traffic, then the flows the controller left.
ip netns exec "$ns1" ping -c 3 -i 0.2 -W 2 10.0.0.2
ip netns exec "$ns2" ping -c 3 -i 0.2 -W 2 10.0.0.1

flows=$(ovs-ofctl -O OpenFlow13 dump-flows "$br")
echo "$flows"
mac1=$(ip -n "$ns1" -br link show eth0 | awk '{print $3}')
mac2=$(ip -n "$ns2" -br link show eth0 | awk '{print $3}')
port1=$(vsctl get Interface h1 ofport)
port2=$(vsctl get Interface h2 ofport)
idle=
[ "${SWIFTNET_L2_IDLE_TIMEOUT:-0}" = 0 ] || idle="idle_timeout=$SWIFTNET_L2_IDLE_TIMEOUT, "
# A flow that matched at least one packet.
used() { echo "$flows" | grep -F "$1" | grep -qv 'n_packets=0,'; }
used "priority=0 actions=CONTROLLER:65535" || fail "no table-miss flow"
used "${idle}priority=1,in_port=$port1,dl_src=$mac1,dl_dst=$mac2 actions=output:$port2" \
	|| fail "no used learned flow h1 -> h2"
used "${idle}priority=1,in_port=$port2,dl_src=$mac2,dl_dst=$mac1 actions=output:$port1" \
	|| fail "no used learned flow h2 -> h1"
echo "OK: pings passed and the learned flows carry them"
