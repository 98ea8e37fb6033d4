#!/usr/bin/env bash
# `make run`: migrate, load demo accounts on an empty database, print how to sign in, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${PORT:-5000}
# Room mode (`make room`, or HOST=0.0.0.0): listen on the local network so phones on the same Wi-Fi
# can join, and use this machine's LAN address as the public address (join link, QR code, links).
if [ "${ROOM:-0}" = 1 ]; then HOST=${HOST:-0.0.0.0}; fi
HOST=${HOST:-127.0.0.1}
mkdir -p instance

if [ -z "${SECRET_KEY:-}" ]; then
  # Zero-setup default: a random key kept in instance/ so sessions survive restarts.
  if [ ! -s instance/secret_key ]; then
    (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))' > instance/secret_key)
  fi
  SECRET_KEY=$(cat instance/secret_key)
  export SECRET_KEY
fi
ROOM_MODE=0
if [ "$HOST" = 0.0.0.0 ] || [ "${ROOM:-0}" = 1 ]; then ROOM_MODE=1; fi
if [ -z "${LECTERN_BASE_URL:-}" ]; then
  if [ "$ROOM_MODE" = 1 ]; then
    LAN_ADDRESS=$("$BIN/python" -m app.ops.lan) || exit 1
    LECTERN_BASE_URL=http://$LAN_ADDRESS:$PORT
  else
    LECTERN_BASE_URL=http://127.0.0.1:$PORT
  fi
fi
export LECTERN_BASE_URL

"$BIN/flask" --app wsgi content check
"$BIN/flask" --app wsgi db upgrade
"$BIN/flask" --app wsgi demo seed

cat <<MSG

  Lectern is starting at $LECTERN_BASE_URL
  (database: ${DATABASE_URL:-SQLite in instance/lectern.db}; stop with Ctrl-C)

MSG
if [ "$ROOM_MODE" = 1 ]; then
  cat <<MSG
  Phones join at $LECTERN_BASE_URL/join
  (listening on $HOST:$PORT; if phones cannot reach it, allow port $PORT in this laptop's firewall
  and check they are on the same Wi-Fi, without "client isolation")

MSG
fi
if [ -n "${REDIS_URL:-}" ] && [ "${JOBS_BACKEND:-rq}" = "rq" ]; then
  # With Redis, long jobs wait in an RQ queue: run one job worker beside the web server.
  "$BIN/flask" --app wsgi jobs worker &
  JOB_WORKER=$!
  trap 'kill "$JOB_WORKER" 2>/dev/null || true' EXIT
  "$BIN/gunicorn" --config gunicorn.conf.py --bind "$HOST:$PORT"
else
  exec "$BIN/gunicorn" --config gunicorn.conf.py --bind "$HOST:$PORT"
fi
