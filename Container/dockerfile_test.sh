#!/usr/bin/env bash
# `make test-dockerfile`: the Dockerfile built through all its stages, as `docker build`
# builds it on a CI runner, then tested as `make test-container` tests its images.
#
# A runner pulls `swift:6.3-bookworm` for the build stage; this machine cannot pull
# anything, so the stage starts from a local stand-in: the project's Debian base
# (Container/make_base.sh) with the toolchain's prerequisites installed, and /opt/swift
# (the same toolchain release) mounted into every RUN of the build. /opt/swift-packages
# and a gitconfig sending SwiftPM's github.com URLs there are mounted too, in place of the
# internet. Everything else is the Dockerfile as users get it: its build stage compiles
# swiftnet (Container/payload.sh), the runtime and full stages install their packages
# from Debian's archive (`--network host`, the machine's own namespace: nothing is added
# to it) and take the build stage's payload.
#
# The images this run makes (the stand-in, the two results and the intermediate stages)
# are removed at the end, whatever happened: only images that were not there before.
#   Container/dockerfile_test.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
. "$repo/Container/common.sh"
base="${CONTAINER_BASE:-swiftnet-base:bookworm}"
lock="${NET_LOCK:-/tmp/swiftnet-net.lock}"
standin="swiftnet-toolchain-standin:bookworm"
runtime_image="swiftnet-dockerfile:runtime"
full_image="swiftnet-dockerfile:full"

say() { echo "*** test-dockerfile: $*"; }
elapsed() { echo $(( $(date +%s) - $1 )); }

"$repo/Container/make_base.sh" "$base"
work="$(mktemp -d /var/tmp/swiftnet-dockerfile.XXXXXX)"
podman images -a -q --no-trunc | sort -u >"$work/images.before"
cleanup() {
    local made
    podman rmi -f "$full_image" "$runtime_image" "$standin" >/dev/null 2>&1 || true
    # Intermediate stages and layers this run left, by id; none that existed before.
    made="$(podman images -a -q --no-trunc | sort -u | comm -13 "$work/images.before" -)"
    if [ -n "$made" ]; then
        # shellcheck disable=SC2086
        podman rmi -f $made >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

write_package_gitconfig "$work/gitconfig"
mkdir "$work/standin"
cat >"$work/standin/Containerfile" <<EOF
FROM localhost/$base
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $TOOLCHAIN_PREREQS \\
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF
t=$(date +%s)
podman build --network host --pull=never -t "$standin" "$work/standin" >"$work/standin.log" 2>&1 \
    || { tail -20 "$work/standin.log" >&2; exit 1; }
say "stand-in toolchain image (the base, the toolchain's prerequisites, /opt/swift mounted): $(elapsed $t) s"

# The full target first: it goes through every stage (build, payload, runtime, full); the
# runtime target is then its cached layers.
for target in full runtime; do
    image="$([ $target = runtime ] && echo "$runtime_image" || echo "$full_image")"
    t=$(date +%s)
    podman build --network host --pull=never --target "$target" \
        --build-arg SWIFT_IMAGE="localhost/$standin" --build-arg RUNTIME_IMAGE="localhost/$base" \
        -v /opt/swift:/opt/swift:ro -v /opt/swift-packages:/opt/swift-packages:ro \
        -v "$work/gitconfig:/etc/gitconfig:ro" \
        -t "$image" -f "$repo/Dockerfile" "$repo" >"$work/build-$target.log" 2>&1 \
        || { tail -30 "$work/build-$target.log" >&2; exit 1; }
    say "docker build --target $target: $(elapsed $t) s, $(podman image ls --format '{{.Size}}' "$image")"
done

flock "$lock" python3 "$repo/Tools/container_test.py" --image "$runtime_image" --full-image "$full_image"
