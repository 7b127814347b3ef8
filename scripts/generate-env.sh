#!/bin/sh
# Writes a .env for docker/compose.yaml from env.example with freshly generated secrets
# (JWT_SECRET, POSTGRES_PASSWORD and the password inside DATABASE_URL). Nothing secret is shipped
# in the repository: in production the service refuses placeholders and low-entropy secrets.
#   scripts/generate-env.sh            # writes .env at the repository root (never overwrites)
#   scripts/generate-env.sh other.env  # or another file
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-$root/.env}
if [ -e "$target" ]; then
  echo "$target exists: not overwriting it (delete it first to start over)" >&2
  exit 1
fi
jwt=$(openssl rand -base64 48 | tr -d '\n')
postgres=$(openssl rand -hex 24)
umask 077
sed \
  -e "s|^JWT_SECRET=.*|JWT_SECRET=$jwt|" \
  -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=$postgres|" \
  -e "s|^DATABASE_URL=postgres://realtime@|DATABASE_URL=postgres://realtime:$postgres@|" \
  "$root/env.example" >"$target"
echo "Wrote $target with generated JWT_SECRET and PostgreSQL password (mode 600)"
