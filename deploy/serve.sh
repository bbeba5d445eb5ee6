#!/usr/bin/env bash
# `make serve`: GridPrograms in its production shape on this machine (docs/deployment.md).
#   gunicorn (gthread; WEB_CONCURRENCY processes x WEB_THREADS threads, default 1 per core x 8),
#   WhiteNoise serving collected static files, DEBUG=0, JSON logs, pooled PostgreSQL connections,
#   WEBHOOK_WORKERS webhook delivery engines and one db_worker (emails and other tasks).
# Every setting can be overridden from the environment. SECRET_KEY: generated once into
# var/secret_key for a local trial when none is given (set your own in production).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8000}
CORES=$(nproc 2>/dev/null || echo 2)
mkdir -p var

if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s var/secret_key ]; then
    (umask 077 && $PY -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key)
    echo "Generated a SECRET_KEY for this local trial in var/secret_key"
  fi
  SECRET_KEY=$(cat var/secret_key)
fi
export SECRET_KEY
export DEBUG=0
export LOG_FORMAT=${LOG_FORMAT:-json}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-localhost,127.0.0.1}
export SECURE_HTTPS=${SECURE_HTTPS:-0}   # plain http on this machine; put TLS in front in production
export SITE_URL=${SITE_URL:-http://localhost:$PORT}
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-$CORES}
export WEB_THREADS=${WEB_THREADS:-8}
export DB_POOL_MAX_SIZE=${DB_POOL_MAX_SIZE:-$WEB_THREADS}   # per process, PostgreSQL only
export WEBHOOK_WORKERS=${WEBHOOK_WORKERS:-1}
# Metrics of every process on this host are added up from one directory (config/metrics.py).
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/prometheus}
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput -v 0

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
for _ in $(seq 1 "$WEBHOOK_WORKERS"); do
  $PY manage.py webhook_worker & pids+=($!)
done
$PY manage.py db_worker --queue-name '*' & pids+=($!)
.venv/bin/gunicorn config.wsgi --bind "${BIND:-127.0.0.1}:$PORT" \
  --worker-class gthread --workers "$WEB_CONCURRENCY" --threads "$WEB_THREADS" \
  --access-logfile - --graceful-timeout 20 & pids+=($!)
echo "Serving on http://localhost:$PORT/ ($WEB_CONCURRENCY x $WEB_THREADS threads," \
  "$WEBHOOK_WORKERS webhook worker(s), 1 task worker). Ctrl-C stops everything."
wait -n "${pids[@]}"
