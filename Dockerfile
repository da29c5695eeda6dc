# swiftnet in a container, for CI: Debian bookworm with the Swift toolchain in /opt/swift,
# as on the project's machines.
#
#   docker build -t swiftnet .
#   docker run --rm --cap-add NET_ADMIN --cap-add SYS_ADMIN --security-opt apparmor=unconfined \
#       -v "$PWD:/work" -w /work swiftnet test Examples/web-lab.yaml --junit report.xml
#
# NET_ADMIN creates namespaces, links and addresses; SYS_ADMIN enters namespaces and gives
# every program in a host its own /etc/resolv.conf, /etc/hosts and /sys (mounts), which
# Docker's AppArmor profile forbids, hence apparmor=unconfined where AppArmor runs
# (Ubuntu hosts). --privileged covers all three.
FROM debian:bookworm

ARG SWIFT_VERSION=6.3.1
ARG SWIFT_PLATFORM=debian12

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl git make gcc g++ binutils libc6-dev libcurl4-openssl-dev libedit2 \
      libgcc-12-dev libncurses-dev libpython3-dev libsqlite3-0 libstdc++-12-dev libxml2-dev \
      libz3-dev pkg-config tzdata unzip zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*

RUN curl -fsSL "https://download.swift.org/swift-${SWIFT_VERSION}-release/${SWIFT_PLATFORM}/swift-${SWIFT_VERSION}-RELEASE/swift-${SWIFT_VERSION}-RELEASE-${SWIFT_PLATFORM}.tar.gz" \
      | tar -xz -C /opt \
 && mv "/opt/swift-${SWIFT_VERSION}-RELEASE-${SWIFT_PLATFORM}" /opt/swift
ENV PATH=/opt/swift/usr/bin:$PATH

WORKDIR /src/swiftnet
COPY . .
# `make deps install` installs the Debian packages swiftnet and its tests use (libnl, libcap,
# iproute2, ping, iperf3, curl, dnsmasq, dig, python3), builds a release and installs
# /usr/local/bin/swiftnet.
RUN make deps install && rm -rf .build

WORKDIR /work
ENTRYPOINT ["swiftnet"]
CMD ["--help"]
