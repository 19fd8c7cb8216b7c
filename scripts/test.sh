#!/usr/bin/env bash
# Run the whole test suite on both stores (SQLite and PostgreSQL/PostGIS), with lint.
#   ./scripts/test.sh [pytest arguments]
# Installs what a fresh Debian machine lacks (PostGIS and Chromium through apt-get, as root),
# starts the local PostgreSQL cluster if it is down, and installs Python packages into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1 || true)
need=()
if [ -n "$pg_version" ] && [ ! -f "/usr/share/postgresql/$pg_version/extension/postgis.control" ]; then
    need+=("postgresql-$pg_version-postgis-3")
fi
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "Installing ${need[*]}…"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "Please install: ${need[*]} (e.g. sudo apt-get install ${need[*]})" >&2
        exit 1
    fi
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && [ -n "$pg_version" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start || true
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done

source scripts/venv.sh
install_relais ".[test]"

.venv/bin/ruff check .
# Two workers by default (the machine has 2 cores); RELAIS_TEST_WORKERS=0 runs in one process.
exec .venv/bin/python -m pytest -n "${RELAIS_TEST_WORKERS:-2}" "$@"
