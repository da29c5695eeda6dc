# Swiftnet: the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing (as root, from Debian's archive), then build.

SWIFT_BIN ?= /opt/swift/usr/bin
export PATH := $(SWIFT_BIN):$(PATH)
SWIFT ?= swift
PREFIX ?= /usr/local

# Debian packages the build and the tests need.
DEPS = libnl-route-3-dev libcap-dev libedit-dev pkg-config iproute2 iputils-ping iperf3 procps tmux curl dnsmasq-base bind9-dnsutils python3 frr traceroute ethtool openvswitch-testcontroller
# What the benchmarks compare against and use (Benchmarks/ovs_userspace.py: Open vSwitch;
# Benchmarks/of_capture.py: Open vSwitch, ovs-testcontroller, tcpdump).
BENCH_DEPS = mininet bridge-utils openvswitch-switch tcpdump

.PHONY: run test build release install deps bench-deps bench clean-build

run: deps release install
	swiftnet --topo tree,depth=2,fanout=2 --test pingall

test: deps build
	$(SWIFT) test --disable-swift-testing

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

install: release
	install -m 0755 .build/release/swiftnet $(PREFIX)/bin/swiftnet

bench: deps bench-deps release
	python3 Benchmarks/bench.py --swiftnet .build/release/swiftnet --out Benchmarks/results/latest.md
	python3 Benchmarks/experiment_bench.py --swiftnet .build/release/swiftnet --out Benchmarks/results/experiments.md

# Installs only the packages that are missing, so repeated runs cost nothing.
deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "*** Installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

bench-deps:
	@missing=$$(for p in $(BENCH_DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "*** Installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

clean-build:
	rm -rf .build
