# swiftnet in a container, for CI. Two stages: `build` compiles swiftnet in the Swift
# toolchain image with the standard library linked in statically; `runtime` is Debian slim
# with the few shared libraries the binary needs and the programs the YAML experiments run
# inside hosts. No Swift toolchain in the result (no `swiftnet run FILE.swift` in it).
#
#   docker build -t swiftnet .
#   docker run --rm --network none --cap-add NET_ADMIN --cap-add SYS_ADMIN \
#       --security-opt apparmor=unconfined -v "$PWD:/work" -w /work \
#       swiftnet test Examples/web-lab.yaml --junit report.xml
#
# NET_ADMIN creates namespaces, links, addresses and routes; SYS_ADMIN enters namespaces
# (setns) and gives every program in a host its own /etc/resolv.conf, /etc/hosts and /sys
# (mounts). Docker's AppArmor profile forbids those mounts, hence apparmor=unconfined on
# hosts where AppArmor runs (Ubuntu). `--network none` is enough: the emulated network is
# made inside the container.
#
# Without a registry (the project's machine), `make container` builds only the runtime
# stage, from a Debian base made with debootstrap, with the binary built on the machine
# given as the `payload` build context:
#   podman build --target runtime --build-context payload=DIR --build-arg RUNTIME_IMAGE=... .

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libnl-route-3-dev libcap-dev libedit-dev pkg-config binutils \
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
# dig and curl for the `dig` and `http` checks; python3 for servers in the examples and
# the mininet Python API (`swiftnet python`); FRR for `routers:` with bgp/ospf.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libnl-3-200 libnl-route-3-200 libcap2 libedit2 libstdc++6 \
      iproute2 iputils-ping traceroute procps iperf3 dnsmasq-base bind9-dnsutils curl \
      python3-minimal libpython3-stdlib frr \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
COPY --from=payload / /
RUN python3 -m compileall -q /usr/local/lib/swiftnet/python/mininet >/dev/null \
 && swiftnet --help >/dev/null
WORKDIR /work
ENTRYPOINT ["swiftnet"]
CMD ["--help"]
