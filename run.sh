#!/usr/bin/env bash
# Runs the app locally: installs what it needs, starts Azurite (data kept in .azurite/, ignored by git)
# and then `func start` if Azure Functions Core Tools are available, otherwise the project's local host
# (src/LocalHost, development only). Prints the sign-up form and outbox URLs; emails go to .outbox/.
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
if [ -z "$func_bin" ] && [ "${EVENTFUNCTIONS_TRY_CORE_TOOLS:-1}" = "1" ]; then
  echo "== Azure Functions Core Tools not found; trying: npm install azure-functions-core-tools@4"
  if timeout 300 npm install --no-save --no-audit --no-fund azure-functions-core-tools@4 >/dev/null 2>&1 \
     && [ -x node_modules/.bin/func ]; then
    func_bin="$root/node_modules/.bin/func"
  else
    cat <<MSG
   Azure Functions Core Tools could not be installed: their npm package downloads the Functions
   runtime from a CDN at install time, and this network cannot reach it (common in build sandboxes
   and on many networks in mainland China). Falling back to the project's local host
   (src/LocalHost, development only), which serves the same functions from their functions.metadata.
MSG
  fi
fi

base=http://localhost:7071
if [ -n "$func_bin" ]; then
  echo "== starting the Azure Functions host (func start)"
  (cd src/Functions && exec "$func_bin" start) &
  pids+=($!)
else
  echo "== building and starting the local Functions host (src/LocalHost, development only)"
  dotnet build src/LocalHost -c Release --nologo -v q -clp:ErrorsOnly
  LOCALHOST_URLS=http://127.0.0.1:7071 dotnet src/LocalHost/bin/Release/net10.0/EventFunctions.LocalHost.dll &
  pids+=($!)
fi

for _ in $(seq 1 120); do
  curl -fs -o /dev/null "$base/api/events" && break
  sleep 1
done

# A demo event on an empty store, so there is a sign-up form to open straight away.
if [ "$(curl -fs "$base/api/events")" = "[]" ]; then
  start=$(date -d "+7 days" +%Y-%m-%dT19:00); end=$(date -d "+7 days" +%Y-%m-%dT20:30)
  curl -fs -o /dev/null -X POST "$base/api/events" -H 'Content-Type: application/json' -d "{
    \"kind\": \"lecture\", \"title\": \"（示例）上海供水的过去、现在和未来\", \"venue\": \"社区文化活动中心多功能厅\",
    \"start\": \"$start\", \"end\": \"$end\", \"capacity\": 50, \"waitlistAllowed\": true,
    \"organiserName\": \"社区服务中心（示例）\", \"organiserEmail\": \"demo@example.cn\",
    \"lecture\": { \"speaker\": \"市供水调度监测中心 专家\" } }" && echo "== created a demo event (the store was empty)"
fi

echo
echo "EventFunctions is running ($( [ -n "$func_bin" ] && echo "Azure Functions Core Tools" || echo "local host, development only" )):"
echo "  Organiser API:  $base/api/events"
curl -fs "$base/api/events" | python3 -c 'import json,sys
for e in json.load(sys.stdin): print("  Sign-up form:   " + e["signUpUrl"] + "   (" + e["title"] + ")")' || true
echo "  Outbox (.eml):  $root/.outbox"
echo "Press Ctrl-C to stop."
wait
