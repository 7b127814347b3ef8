#!/usr/bin/env bash
# Creates the Debian 12 root filesystem every stand-in starts from, as a tarball for `docker import`.
#   base.sh OUT.tar
set -euo pipefail
out="$1"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
root=$(mktemp -d "${TMPDIR:-/tmp}/rt-standin-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -20 "$root.log" >&2
  echo "debootstrap failed: is $mirror reachable? (set DEBIAN_MIRROR to another mirror)" >&2
  exit 1
}
rm -f "$root.log"
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SOURCES
# As the official slim images: no apt caches, no docs or man pages.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* "$root"/usr/share/man/*
tar -C "$root" --numeric-owner -cf "$out" .
