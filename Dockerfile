# swiftnet in a container, for CI. Stages: `build` compiles swiftnet in the Swift toolchain
# image with the standard library linked in statically (and a trimmed copy of ICU's data,
# Container/payload.sh); `runtime` (the default image, 141 MB here) is Debian slim with the
# few shared libraries the binary needs and the common programs hosts run; `full` adds
# python3, FRR and dig (238 MB here). No Swift toolchain in either (no `swiftnet run
# FILE.swift` in them).
#
#   docker build --target runtime -t swiftnet .
#   docker build --target full -t swiftnet:full .
#   docker run --rm --network none --cap-add NET_ADMIN --cap-add SYS_ADMIN \
#       --security-opt systempaths=unconfined --security-opt apparmor=unconfined \
#       -v "$PWD:/work" -w /work swiftnet:full test Examples/web-lab.yaml --junit report.xml
#
# NET_ADMIN creates namespaces, links, addresses and routes; SYS_ADMIN enters namespaces
# (setns) and gives every program in a host its own /etc/resolv.conf, /etc/hosts and /sys
# (mounts). /proc/sys must be writable (systempaths=unconfined; podman: unmask=/proc/sys):
# swiftnet sets the sysctls of the namespaces it makes. Docker's AppArmor profile forbids
# the mounts, hence apparmor=unconfined where AppArmor runs (Ubuntu). `--network none` is
# enough: the emulated network is made inside the container.
#
# Without a registry (the project's machine), `make container` builds the runtime and full
# stages from a Debian base made with debootstrap, with the binary built on the machine
# given as the `payload` build context:
#   podman build --target runtime --build-context payload=DIR --build-arg RUNTIME_IMAGE=... .

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libnl-route-3-dev libcap-dev libedit-dev pkg-config binutils python3-minimal \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src/swiftnet
COPY . .
RUN Container/payload.sh /tmp/build /payload

# Only the files the runtime stage takes, at the paths they take: the same layout as the
# directory `make container` passes as the `payload` build context.
FROM scratch AS payload
COPY --from=build /payload/ /

FROM ${RUNTIME_IMAGE} AS runtime
# The binary's shared libraries (libnl-3, libnl-route-3, libcap, libedit, libstdc++), then
# what runs inside hosts: ip, ping, traceroute, ps; iperf3; dnsmasq for `kind: dns` nodes;
# curl for the `http` checks. Python and FRR are in the `full` image below: with them this
# one would be 70 MB larger.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libnl-3-200 libnl-route-3-200 libcap2 libedit2 libstdc++6 \
      iproute2 iputils-ping traceroute procps iperf3 dnsmasq-base curl \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
COPY --from=payload / /
RUN swiftnet --help >/dev/null
WORKDIR /work
ENTRYPOINT ["swiftnet"]
CMD ["--help"]

# The runtime image and python3 (servers in the examples, the mininet Python API of
# `swiftnet python`), FRR for `routers:` with bgp/ospf, and dig (bind9-dnsutils, which
# brings ICU and libxml2: 50 MB of the difference).
FROM runtime AS full
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3-minimal libpython3-stdlib frr bind9-dnsutils \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && python3 -m compileall -q /usr/local/lib/swiftnet/python/mininet >/dev/null
