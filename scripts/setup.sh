#!/usr/bin/env bash
# Installs what the service and its tests need on a Debian/Ubuntu machine and starts Redis when
# nothing answers. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(redis-server redis-tools apertium apertium-eng-spa apertium-eng-cat espeak-ng sox python3 make g++ cmake
  tini haproxy docker-compose)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "==> Starting redis-server on 127.0.0.1:6379"
  mkdir -p /tmp/redis-rt
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --maxmemory-policy noeviction --dir /tmp/redis-rt --logfile /tmp/redis-rt/redis.log
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis did not start: see /tmp/redis-rt/redis.log"; exit 1; }
fi

# PostgreSQL for the store-of-record tests (the service itself defaults to a SQLite file).
pg_answers() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_answers; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "==> Installing PostgreSQL"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    $SUDO pg_createcluster "$version" main
  fi
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  # Local test database only: trust TCP connections from this machine.
  if ! $SUDO grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  echo "==> Starting PostgreSQL $version on 127.0.0.1:5432"
  $SUDO pg_ctlcluster "$version" main start || $SUDO pg_ctlcluster "$version" main reload
  for _ in $(seq 1 100); do pg_answers && break; sleep 0.1; done
  pg_answers || { echo "PostgreSQL did not start: see /var/log/postgresql/"; exit 1; }
fi
if command -v psql >/dev/null 2>&1; then
  for _ in $(seq 1 50); do psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1 && break; sleep 0.1; done
  if [ "$(psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1 from pg_database where datname = 'test'" 2>/dev/null)" != "1" ]; then
    echo "==> Creating PostgreSQL database test"
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test'
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> Installing npm dependencies (compiles whisper.cpp for this CPU, a minute or two)"
  npm ci --no-audit --no-fund
fi
