#!/usr/bin/env bash
# Install Relais into .venv, build the demo on the embedded SQLite store, and serve it.
#   ./scripts/demo.sh            then open http://127.0.0.1:5000
# Set DATABASE_URL=postgresql+psycopg2://… to build the demo on PostgreSQL/PostGIS instead.
set -euo pipefail
cd "$(dirname "$0")/.."

# Local http: cookies cannot be Secure-only here (production keeps the default).
export RELAIS_SECURE_COOKIES="${RELAIS_SECURE_COOKIES:-0}"

source scripts/venv.sh
install_relais .

flask_() { .venv/bin/flask --app app "$@"; }
flask_ db upgrade
flask_ seed demo
exec .venv/bin/flask --app app run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
