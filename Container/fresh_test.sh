#!/usr/bin/env bash
# `make test-fresh`: the project's whole `make test` in a container made from a fresh Debian
# bookworm rootfs (debootstrap minbase, nothing else), on a fresh clone of this
# repository's HEAD, as a CI runner that never saw swiftnet would run it.
#
#   1. debootstrap --variant=minbase bookworm into /var/tmp/swiftnet-fresh.*/root, and
#      `git clone` of HEAD into its /src/swiftnet.
#   2. setup container, --network host (the machine's own network namespace: no interface
#      is added; Debian's archive and PyPI are reached as the machine reaches them): apt-get
#      installs make and git and the Swift toolchain's prerequisites (what a runner image has
#      before it runs `make`), then `make deps mininet-deps controllers` installs what the
#      Makefile installs itself (pip with the machine's CA bundle, PIP_CERT, read-only).
#   3. build container, --network none: `make build` and the test targets, so the network
#      lock is not held while compiling.
#   4. test container, --network none, under the network lock: `make test` (CI=true, as
#      .ci/run sets it: an unexpected skip fails).
# Containers 3 and 4 are --privileged (see PRIVILEGED below); all three have /opt/swift,
# /opt/swift-packages and a gitconfig holding only the machine's `url.*.insteadOf` settings
# bind-mounted read-only. The machine's links, namespaces, mounts, /etc and /run are
# compared before and after (Tools/container_test.py). The rootfs and the clone are
# removed at the end, whatever happened; the log stays in LOG.
#   Container/fresh_test.sh [LOG]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
log="${1:-$repo/.build-fresh/test-fresh.log}"
lock="${NET_LOCK:-/tmp/swiftnet-net.lock}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$(dirname "$log")"
: >"$log"

. "$repo/Container/common.sh"

# Why --privileged for the build and test containers: `make test` writes the cpu cgroup
# (CPU-limited hosts: /sys/fs/cgroup/cpu, read-only in a container otherwise), /proc/sys
# (sysctls of the namespaces it makes) and /sys (a sysfs per host); opens AF_PACKET
# sockets (NET_RAW, the user switch); makes tun/tap devices (/dev/net/tun); runs the
# rootless tests in user namespaces, FRR (which switches users and keeps capabilities),
# Open vSwitch and Chromium (its own sandbox). Each alone is a --cap-add, a --device or
# a --security-opt; together they are --privileged. The build container gets the same
# flags so that `swift test` finds the build as `make build` left it.
#
# --ulimit nofile: the machine's own open-files limits (the tests are written against a
# machine's; Container/containers.conf's 1024 is too few for tree,2,50 and the limit
# tests). One --ulimit replaces all of containers.conf's, so nproc is given again (podman's
# own default, or the machine's 96363, makes runc fail: EPERM). --cgroupns private:
# /proc/self/cgroup inside shows paths from the container's own cgroup, as the CPU-limit
# tests expect (cpu:/swiftnet/...).
PRIVILEGED="--privileged --network none --init --cgroupns private \
--ulimit nofile=$(ulimit -Sn):$(ulimit -Hn) --ulimit nproc=4096:4096"

say() { echo "*** test-fresh: $*" | tee -a "$log"; }
elapsed() { echo $(( $(date +%s) - $1 )); }

work="$(mktemp -d /var/tmp/swiftnet-fresh.XXXXXX)"
root="$work/root"
cleanup() {
    # Never rm -rf across a mount: if podman left one under the rootfs (/opt/swift, bind
    # mounted), say so and keep the folder.
    if grep -q " $work[/ ]" /proc/self/mountinfo; then
        say "mounts remain under $work; not removing it"
        grep " $work[/ ]" /proc/self/mountinfo >&2
        return
    fi
    rm -rf "$work"
}
trap cleanup EXIT

python3 "$repo/Tools/container_test.py" --snapshot "$work/before.json"
start_all=$(date +%s)

t=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$mirror" >>"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
say "debootstrap minbase bookworm: $(elapsed $t) s"

head="$(git -C "$repo" rev-parse HEAD)"
git clone -q --no-checkout "$repo" "$root/src/swiftnet"
git -C "$root/src/swiftnet" checkout -q "$head"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
    say "note: $repo has uncommitted changes; they are not in the clone"
fi
say "clone of $(git -C "$repo" log -1 --format='%h %s' | cut -c1-70)"

write_package_gitconfig "$work/gitconfig"

mounts=(-v /opt/swift:/opt/swift:ro -v /opt/swift-packages:/opt/swift-packages:ro -v "$work/gitconfig:/etc/gitconfig:ro")
container() {
    # podman's flags come before --rootfs PATH; what follows the path is the command.
    local flags="$1"; shift
    # shellcheck disable=SC2086
    podman run --rm $flags "${mounts[@]}" -e CI=true -e DEBIAN_FRONTEND=noninteractive \
        -w /src/swiftnet --rootfs "$root" /bin/bash -c "$*"
}

# The network lock (the other network tests hold it too), only while the tests run: the
# setup and build containers install and compile, and make nothing in the machine's
# network namespace.
locked() {
    local s=0
    exec 9>>"$lock"
    if ! flock 9; then
        exec 9>&-
        say "could not take $lock"
        return 1
    fi
    "$@" || s=$?
    exec 9>&-
    return $s
}

t=$(date +%s)
status=0
# pip reaches PyPI as the machine does: here through a TLS proxy whose CA is in the
# machine's bundle (PIP_CERT), which the container's own bundle lacks; read-only.
ca="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
container "--network host -v $ca:/etc/swiftnet-fresh-ca.crt:ro -e PIP_CERT=/etc/swiftnet-fresh-ca.crt" \
    "apt-get update -qq && apt-get install -y -qq $TOOLCHAIN_PREREQS >/dev/null && make deps mininet-deps controllers" \
    >>"$log" 2>&1 || status=$?
say "setup (apt-get in the container, make deps mininet-deps controllers): $(elapsed $t) s, exit $status"

if [ $status -eq 0 ]; then
    t=$(date +%s)
    container "$PRIVILEGED" 'make build && /opt/swift/usr/bin/swift build --build-tests' >>"$log" 2>&1 || status=$?
    say "build (make build, swift build --build-tests): $(elapsed $t) s, exit $status"
fi

# Real-time hosts (--host rt) need real-time CPU time in the container's cpu cgroup, and
# podman's parent cgroup (libpod_parent) has none to give: the test container goes under a
# parent of its own holding RT_RUNTIME of each second, removed afterwards.
RT_RUNTIME=500000
rt_parent="swiftnet-fresh.$$"
rt_cleanup() {
    local c
    for c in /sys/fs/cgroup/*/"$rt_parent"; do
        [ -d "$c" ] || continue
        find "$c" -depth -mindepth 1 -type d -exec rmdir {} \; 2>/dev/null || true
        rmdir "$c" 2>/dev/null || say "could not remove the cgroup $c"
    done
}
trap 'rt_cleanup; cleanup' EXIT

if [ $status -eq 0 ]; then
    t=$(date +%s)
    mkdir "/sys/fs/cgroup/cpu/$rt_parent"
    echo "$RT_RUNTIME" >"/sys/fs/cgroup/cpu/$rt_parent/cpu.rt_runtime_us"
    locked container "$PRIVILEGED --cgroup-parent=/$rt_parent --cpu-rt-runtime=$RT_RUNTIME" 'make test' \
        >>"$log" 2>&1 || status=$?
    rt_cleanup
    say "make test: $(elapsed $t) s, exit $status"
    grep -E '^Executed [0-9]+ tests|^\*\*\* Skipped|conformance|^Test Case .* failed|error: ' "$log" | tail -15 || true
fi

say "total $(elapsed $start_all) s, exit $status; log: $log"
python3 "$repo/Tools/container_test.py" --compare "$work/before.json" | tee -a "$log" || status=1
exit $status
