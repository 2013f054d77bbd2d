#!/usr/bin/env bash
# Runs the app locally: installs what it needs, starts Azurite (data kept in .azurite/, ignored by git)
# and then the Functions host with `func start`. Emails go to .outbox/ as .eml files.
# Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")"
root="$(pwd)"

echo "== installing Azurite (npm ci)"
npm ci --no-audit --no-fund --loglevel=error

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

mkdir -p .azurite .outbox
echo "== starting Azurite (data in .azurite/)"
node_modules/.bin/azurite --silent --skipApiVersionCheck --location .azurite --debug .azurite/debug.log \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
pids+=($!)

settings=src/Functions/local.settings.json
if [ ! -f "$settings" ]; then
  sed "s#\"EventFunctions__Email__OutboxPath\": \".*\"#\"EventFunctions__Email__OutboxPath\": \"$root/.outbox\"#" \
    src/Functions/local.settings.example.json > "$settings"
fi

func_bin="$(command -v func || true)"
if [ -z "$func_bin" ]; then
  echo "== Azure Functions Core Tools not found; trying: npm install azure-functions-core-tools@4"
  if timeout 300 npm install --no-save --no-audit --no-fund azure-functions-core-tools@4 >/dev/null 2>&1 \
     && [ -x node_modules/.bin/func ]; then
    func_bin="$root/node_modules/.bin/func"
  fi
fi

if [ -z "$func_bin" ]; then
  cat >&2 <<MSG

Azure Functions Core Tools could not be installed: their npm package downloads the Functions
runtime from a CDN at install time, and this network cannot reach it (common in build sandboxes
and on many networks in mainland China). Install them another way (see
https://learn.microsoft.com/azure/azure-functions/functions-run-local) and run ./run.sh again.

Azurite is running on 127.0.0.1 (tables :10002, queues :10001) until you press Ctrl-C.
./test.sh exercises every function without Core Tools (it starts its own Azurite).
MSG
  wait
  exit 1
fi

echo "== starting the Functions host (func start)"
echo "   Organiser API:  http://localhost:7071/api/events"
echo "   Sign-up form:   http://localhost:7071/api/signup/<eventId>"
echo "   Outbox (.eml):  $root/.outbox"
(cd src/Functions && "$func_bin" start) &
pids+=($!)
wait
