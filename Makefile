# Swiftnet: the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing (as root, from Debian's archive), then build.

SWIFT_BIN ?= /opt/swift/usr/bin
export PATH := $(SWIFT_BIN):$(PATH)
SWIFT ?= swift
PREFIX ?= /usr/local

# Debian packages the build and the tests need (iperf, net-tools, vlan: what Mininet
# scripts run inside hosts — iperf 2, ifconfig and route, vconfig; openvswitch-switch and
# chromium: the interop test drives Open vSwitch, the web page test runs Chromium; python3-pexpect: the
# walkthrough test drives the shell with it; uidmap: newuidmap and newgidmap, for rootless runs with a
# subordinate id range).
DEPS = libnl-route-3-dev libcap-dev libedit-dev pkg-config iproute2 iputils-ping iperf3 procps tmux curl dnsmasq-base bind9-dnsutils python3 python3-venv frr traceroute ethtool openvswitch-testcontroller \
	iperf net-tools vlan python3-pexpect openvswitch-switch chromium uidmap
# Mininet itself, for its examples and its Python API that the tests run on swiftnet's
# engine (without Open vSwitch, which Debian's mininet only recommends).
MININET_DEPS = mininet
# What the benchmarks compare against and use (Benchmarks/ovs_userspace.py: Open vSwitch;
# Benchmarks/of_capture.py: Open vSwitch, ovs-testcontroller, tcpdump).
BENCH_DEPS = mininet bridge-utils openvswitch-switch tcpdump
# The OpenFlow controller the user switch is tested against: os-ken from PyPI,
# in a venv of Debian's Python. os-ken 4 dropped osken-manager, so 3.x it is.
OSKEN_VENV ?= /opt/swiftnet-venv
OSKEN_VERSION ?= 3.1.1

.PHONY: run test build release install install-mn deps mininet-deps controllers bench-deps bench clean-build conformance \
	container container-deps test-container test-fresh test-dockerfile clean-container

run: deps release install
	swiftnet --topo tree,depth=2,fanout=2 --test pingall

test: deps mininet-deps controllers build
	python3 Tools/run_tests.py --swift $(SWIFT)
	python3 Tools/conformance.py --swiftnet .build/debug/swiftnet --quick --min-pass 1.0

# os-ken's OpenFlow 1.3 switch tester, its whole corpus, against the user switch and Open
# vSwitch's userspace datapath in the same run (about an hour: the group and meter tests
# measure 30 s of traffic each).
conformance: deps controllers bench-deps release
	python3 Tools/conformance.py --swiftnet .build/release/swiftnet --ovs --out Benchmarks/results/conformance.md --json Benchmarks/results/conformance.json

# The mininet package's bytecode is made here (Debian's python3, into the ignored
# __pycache__): `swiftnet python` runs with PYTHONDONTWRITEBYTECODE and writes none.
build:
	$(SWIFT) build
	@/usr/bin/python3 -m compileall -q Python/mininet >/dev/null || true

release:
	$(SWIFT) build -c release
	@/usr/bin/python3 -m compileall -q Python/mininet >/dev/null || true

# The command, and the library topology scripts compile against (`swiftnet run FILE.swift`).
install: release
	install -d $(PREFIX)/bin
	install -m 0755 .build/release/swiftnet $(PREFIX)/bin/swiftnet
	python3 Tools/install_library.py --build .build/release --package . --dest $(PREFIX)/lib/swiftnet
	rm -rf $(PREFIX)/lib/swiftnet/python && install -d $(PREFIX)/lib/swiftnet/python/mininet/examples
	install -m 0644 Python/mininet/*.py $(PREFIX)/lib/swiftnet/python/mininet/
	install -m 0644 Python/mininet/examples/*.py $(PREFIX)/lib/swiftnet/python/mininet/examples/
	/usr/bin/python3 -m compileall -q $(PREFIX)/lib/swiftnet/python/mininet >/dev/null
	@$(MAKE) -s install-mn PREFIX=$(PREFIX)

# $(PREFIX)/bin/mn -> swiftnet, which then answers as Mininet's `mn` (usage, `mininet>`
# prompt). Never over or in front of a real `mn` (Debian's mininet puts /usr/bin/mn).
install-mn:
	@real=$$(command -v mn 2>/dev/null); link=$(PREFIX)/bin/mn; \
	if [ "$$(readlink -f $$link)" = "$$(readlink -f $(PREFIX)/bin/swiftnet)" ]; then \
		:; \
	elif [ -n "$$real" ] || [ -e $$link ] || [ -L $$link ]; then \
		echo "*** Left $${real:-$$link} alone (not swiftnet; Mininet's?): to start swiftnet as mn, make the link by hand: ln -s $(PREFIX)/bin/swiftnet DIR/mn, with DIR on PATH"; \
	else \
		ln -s swiftnet $$link && echo "*** $$link -> swiftnet (answers as Mininet's mn)"; \
	fi

bench: deps mininet-deps controllers bench-deps release
	python3 Benchmarks/switch_bench.py --swiftnet .build/release/swiftnet --out Benchmarks/results/switch.md
	python3 Benchmarks/bench.py --swiftnet .build/release/swiftnet --out Benchmarks/results/latest.md
	python3 Benchmarks/experiment_bench.py --swiftnet .build/release/swiftnet --out Benchmarks/results/experiments.md
	python3 Benchmarks/scale_bench.py --swiftnet .build/release/swiftnet --out Benchmarks/results/scale.md
	python3 Benchmarks/python_bench.py --swiftnet .build/release/swiftnet --out Benchmarks/results/python.md
	python3 Benchmarks/controller_bench.py --swiftnet .build/release/swiftnet --out Benchmarks/results/controller.md --json Benchmarks/results/controller.json

# Installs only the packages that are missing, so repeated runs cost nothing.
deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "*** Installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

mininet-deps:
	@missing=$$(for p in $(MININET_DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "*** Installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Skipped when the venv already imports the pinned os-ken.
controllers: deps
	@if ! $(OSKEN_VENV)/bin/python -c 'import importlib.metadata as m, os_ken, sys; sys.exit(m.version("os-ken") != "$(OSKEN_VERSION)")' 2>/dev/null; then \
		echo "*** Installing os-ken $(OSKEN_VERSION) into $(OSKEN_VENV)"; \
		/usr/bin/python3 -m venv --clear $(OSKEN_VENV) && \
		$(OSKEN_VENV)/bin/pip install -q --disable-pip-version-check 'os-ken==$(OSKEN_VERSION)'; \
	fi

bench-deps:
	@missing=$$(for p in $(BENCH_DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "*** Installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

clean-build:
	rm -rf .build

# Containers (README, "Containers and CI"). Podman, rootful, with runc and the project's
# Container/containers.conf (CONTAINERS_CONF: the machine's /etc/containers is not touched).
# `make container` builds the Dockerfile's runtime and full stages from a Debian base made with
# debootstrap (made once, then cached as $(CONTAINER_BASE)) and the binary built here with
# the static Swift standard library; `podman build --network host` only so that apt-get in
# the build reaches Debian's archive (the host's network namespace: no interface is added).
CONTAINER_IMAGE ?= swiftnet:latest
CONTAINER_FULL_IMAGE ?= swiftnet:full
CONTAINER_BASE ?= swiftnet-base:bookworm
CONTAINER_SCRATCH ?= .build-static
CONTAINER_DEPS = podman runc debootstrap systemd-container binutils gcc python3 libnl-route-3-dev libcap-dev libedit-dev pkg-config
# Held while anything runs networks or containers, as the other network tests hold it.
NET_LOCK ?= /tmp/swiftnet-net.lock
container container-deps test-container test-fresh test-dockerfile clean-container: export CONTAINERS_CONF := $(CURDIR)/Container/containers.conf

container-deps:
	@missing=$$(for p in $(CONTAINER_DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "*** Installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

container: container-deps
	Container/payload.sh $(CONTAINER_SCRATCH) $(CONTAINER_SCRATCH)/payload
	Container/make_base.sh $(CONTAINER_BASE)
	for target in runtime full; do \
		podman build --network host --pull=never --target $$target \
			--build-context payload=$(CONTAINER_SCRATCH)/payload \
			--build-arg RUNTIME_IMAGE=localhost/$(CONTAINER_BASE) \
			-t $$([ $$target = runtime ] && echo $(CONTAINER_IMAGE) || echo $(CONTAINER_FULL_IMAGE)) -f Dockerfile . || exit 1; \
	done
	@podman image ls --format '*** {{.Repository}}:{{.Tag}} {{.Size}}' $(CONTAINER_IMAGE)
	@podman image ls --format '*** {{.Repository}}:{{.Tag}} {{.Size}}' $(CONTAINER_FULL_IMAGE)

# Runs swiftnet in the image (podman, then systemd-nspawn) and fails if the machine's
# links, namespaces, mounts, /etc or /run changed (Tools/container_test.py).
test-container: container
	flock $(NET_LOCK) python3 Tools/container_test.py --image $(CONTAINER_IMAGE) --full-image $(CONTAINER_FULL_IMAGE)

# The whole `make test` in a container made from a fresh Debian rootfs, on a fresh clone of
# this repository's HEAD (Container/fresh_test.sh). Not part of `make test`.
test-fresh: container-deps
	Container/fresh_test.sh

# The Dockerfile through all its stages, as `docker build` runs it on a CI runner: the build
# stage from a local stand-in for the Swift toolchain image (this machine pulls nothing),
# then make test-container's steps on the two images it made, which are removed afterwards
# (Container/dockerfile_test.sh). Not part of `make test`.
test-dockerfile: container-deps
	Container/dockerfile_test.sh

# The project's images; the containers are --rm and gone already.
clean-container:
	-podman rmi $(CONTAINER_FULL_IMAGE) $(CONTAINER_IMAGE) $(CONTAINER_BASE)
