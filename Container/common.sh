# Shared by Container/fresh_test.sh and Container/dockerfile_test.sh (sourced, not run).

# The Swift toolchain's prerequisites on Debian 12 (swift.org's list) and what running
# `make` needs at all: what a toolchain or CI runner image has before the project's own
# packages are installed.
TOOLCHAIN_PREREQS="make git ca-certificates binutils gcc g++ libc6-dev libcurl4-openssl-dev libedit2 \
libgcc-12-dev libncurses-dev libpython3-dev libsqlite3-0 libstdc++-12-dev libxml2-dev libz3-dev \
pkg-config tzdata unzip zlib1g-dev"

# Writes to FILE only the machine's git settings that send SwiftPM's github.com URLs to
# /opt/swift-packages (the local copies of the packages), for a container to mount
# read-only as its /etc/gitconfig.
write_package_gitconfig() {
    local file="$1" key value
    : >"$file"
    git config --system --get-regexp '^url\..*\.insteadof$' | while read -r key value; do
        git config --file "$file" --add "$key" "$value"
    done
}
