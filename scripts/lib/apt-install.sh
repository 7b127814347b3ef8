# Sourced by scripts that need Debian packages: `install_missing "package:why" ...` installs the
# ones not installed yet, after saying which and why. Packages that start a system service when
# installed (redis-server, postgresql, docker.io, prometheus) are kept stopped: nothing here needs
# the host's own services (Debian's policy-rc.d convention).
install_missing() {
  local missing=() names=() entry
  for entry in "$@"; do
    dpkg-query -W -f='${Status}' "${entry%%:*}" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$entry")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "==> Installing ${#missing[@]} missing Debian package(s):"
  for entry in "${missing[@]}"; do
    printf '    %-18s %s\n' "${entry%%:*}" "${entry#*:}"
    names+=("${entry%%:*}")
  done
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  local made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  local status=0
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${names[@]}" || status=$?
  [ -z "$made_policy" ] || $sudo rm -f /usr/sbin/policy-rc.d
  if [ "$status" -ne 0 ]; then
    echo "apt-get install failed (exit $status): check that Debian's archive is reachable" >&2
    return "$status"
  fi
}
