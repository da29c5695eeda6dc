#!/usr/bin/env bash
# Makes the podman image IMAGE (default swiftnet-base:bookworm): a minimal Debian bookworm
# from Debian's archive, trimmed the way the debian:bookworm-slim image is (no manuals, no
# translations, no documentation but the copyright files, no package lists or downloaded
# packages), so that the runtime stage can start FROM it on a machine that cannot pull
# debian:bookworm-slim. Made once: an existing IMAGE is kept.
#   Container/make_base.sh [IMAGE]
# Needs root, debootstrap and podman (CONTAINERS_CONF pointing at Container/containers.conf).
set -euo pipefail
image="${1:-swiftnet-base:bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if podman image exists "$image"; then
    echo "*** $image exists (podman rmi $image, or make clean-container, to make it again)"
    exit 0
fi

work="$(mktemp -d /var/tmp/swiftnet-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
root="$work/root"

echo "*** debootstrap --variant=minbase bookworm ($mirror)"
start=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    exit 1
}
echo "*** debootstrap took $(( $(date +%s) - start )) s"

# The suites an image user expects (as in debian:bookworm-slim): the release, its
# updates and the security archive, in deb822 form.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF

# What later apt-get installs leave out, so the runtime stage stays small.
cat >"$root/etc/dpkg/dpkg.cfg.d/swiftnet-slim" <<'EOF'
# swiftnet base image: no manuals, translations or documentation (the copyright
# files stay, as the licences ask).
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
cat >"$root/etc/apt/apt.conf.d/90swiftnet-slim" <<'EOF'
// swiftnet base image: downloaded packages are deleted once installed, and only what
// a package depends on comes with it.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
EOF

# What debootstrap left behind and the exclusions above would have kept out.
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/*
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/*
find "$root/var/log" -type f -delete
rm -rf "$root/debootstrap"
# A container gets its resolv.conf and hostname from the engine.
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"

echo "*** importing $(du -sh "$root" | cut -f1) as $image"
tar --numeric-owner -C "$root" -c . | podman import \
    --change 'CMD ["/bin/bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$image" >/dev/null
podman image ls "$image"
