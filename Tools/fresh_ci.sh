#!/usr/bin/env bash
# Runs .ci/run on a fresh clone of a branch (default: main), as on a machine that never ran
# swiftnet, FRR, dnsmasq or the tests: in a private mount namespace, /var/tmp, /run and
# /tmp are empty tmpfs (no /var/tmp/frr, /run/frr, /run/swiftnet, /run/netns) and HOME is
# a new empty folder (no ~/.cache/swiftnet, no SwiftPM caches). Nothing of it outlives the
# command: the clone and the HOME folder are removed, the tmpfs go with the namespace.
#   sudo Tools/fresh_ci.sh [BRANCH]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
branch="${1:-main}"
work="$(mktemp -d "$repo/../.fresh-ci.XXXXXX")"
trap 'rm -rf "$work"' EXIT
git clone -q --branch "$branch" "$repo" "$work/clone"
mkdir "$work/home"
exec_script='
set -e
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
for d in /var/tmp/frr /run/frr /run/swiftnet "$HOME/.cache/swiftnet"; do
    if [ -e "$d" ]; then echo "fresh_ci: $d exists" >&2; exit 1; fi
done
echo "*** fresh state: /var/tmp, /tmp and /run empty, HOME=$HOME"
cd "$1" && bash .ci/run
'
status=0
HOME="$work/home" CI=true unshare --mount --propagation private bash -c "$exec_script" fresh "$work/clone" || status=$?
echo "*** fresh_ci: .ci/run exited $status"
exit $status
