#!/usr/bin/env bash
# Runs the app locally: installs Azurite (npm ci), starts it (data kept in .azurite/, ignored by git) and
# then `func start` if Azure Functions Core Tools are on PATH, otherwise the project's local host
# (src/LocalHost, development only). Prints the sign-up form and outbox URLs; emails go to .outbox/.
# Ctrl-C stops everything this script started: TERM to each process group, KILL after 5 s.
#   EVENTFUNCTIONS_TRY_CORE_TOOLS=1  without `func` on PATH, try `npm install azure-functions-core-tools@4` first
#   EVENTFUNCTIONS_AZURITE_DEBUG=1   write Azurite's debug log to .azurite/debug.log (~160 MB an hour)
set -euo pipefail
cd "$(dirname "$0")"
root="$(pwd)"

echo "== installing Azurite (npm ci)"
npm ci --no-audit --no-fund --loglevel=error

# Each child runs in its own process group (setsid), so stopping it reaches whatever it started too
# (func start's worker, dotnet's host process).
pids=()
start_group() { if command -v setsid >/dev/null; then setsid "$@" & else "$@" & fi; pids+=($!); }
signal_all() { for p in "${pids[@]}"; do kill "-$1" -- "-$p" 2>/dev/null || kill "-$1" "$p" 2>/dev/null || true; done; }
any_alive() { for p in "${pids[@]}"; do kill -0 -- "-$p" 2>/dev/null || kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
cleanup() {
  trap - EXIT INT TERM HUP
  [ "${#pids[@]}" -eq 0 ] && return
  echo; echo "== stopping"
  signal_all TERM
  for _ in $(seq 1 50); do any_alive || return 0; sleep 0.1; done
  echo "== still running after 5 s: killing"
  signal_all KILL
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

mkdir -p .azurite .outbox
azurite_args=(--silent --disableTelemetry --skipApiVersionCheck --location .azurite
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1)
if [ "${EVENTFUNCTIONS_AZURITE_DEBUG:-0}" = "1" ]; then azurite_args+=(--debug .azurite/debug.log); fi
echo "== starting Azurite (data in .azurite/)"
start_group node_modules/.bin/azurite "${azurite_args[@]}"

settings=src/Functions/local.settings.json
if [ ! -f "$settings" ]; then
  sed "s#\"EventFunctions__Email__OutboxPath\": \".*\"#\"EventFunctions__Email__OutboxPath\": \"$root/.outbox\"#" \
    src/Functions/local.settings.example.json > "$settings"
fi

func_bin="$(command -v func || true)"
if [ -z "$func_bin" ] && [ "${EVENTFUNCTIONS_TRY_CORE_TOOLS:-0}" = "1" ]; then
  echo "== Azure Functions Core Tools not found; trying: npm install azure-functions-core-tools@4"
  if timeout 300 npm install --no-save --no-audit --no-fund azure-functions-core-tools@4 >/dev/null 2>&1 \
     && [ -x node_modules/.bin/func ]; then
    func_bin="$root/node_modules/.bin/func"
  else
    echo "   could not install them (their npm package downloads the Functions runtime from a CDN this network cannot reach)"
  fi
fi
if [ -z "$func_bin" ]; then
  echo "== no \`func\` on PATH: using the project's local host (set EVENTFUNCTIONS_TRY_CORE_TOOLS=1 to try installing Core Tools)"
fi

# The organisers' console signs in through App Service Authentication in Azure; here, a development sign-in
# (it exists only when the environment is Development) with this demo admin.
export AZURE_FUNCTIONS_ENVIRONMENT="${AZURE_FUNCTIONS_ENVIRONMENT:-Development}"
export EventFunctions__Console__Admins="${EventFunctions__Console__Admins:-admin@jiedao.example.cn}"
# A local.settings.json made before reminders (or holds) existed lacks their schedule (the host will not start without it).
grep -q '"ReminderSchedule"' "$settings" || export ReminderSchedule="${ReminderSchedule:-0 */5 * * * *}"
grep -q '"HoldSweepSchedule"' "$settings" || export HoldSweepSchedule="${HoldSweepSchedule:-0 * * * * *}"
export EventFunctions__SigningKey="${EventFunctions__SigningKey:-local-development-only-signing-key-not-a-secret}"
export EventFunctions__IdentifierKey="${EventFunctions__IdentifierKey:-local-development-only-identifier-key-not-a-secret}"
export EventFunctions__Console__DevelopmentSignIn="${EventFunctions__Console__DevelopmentSignIn:-true}"

base=http://localhost:7071
if [ -n "$func_bin" ]; then
  echo "== starting the Azure Functions host (func start)"
  start_group bash -c 'cd src/Functions && exec "$0" start' "$func_bin"
else
  echo "== building and starting the local Functions host (src/LocalHost, development only)"
  dotnet build src/LocalHost -c Release --nologo -v q -clp:ErrorsOnly
  start_group env LOCALHOST_URLS=http://127.0.0.1:7071 dotnet src/LocalHost/bin/Release/net10.0/EventFunctions.LocalHost.dll
fi
host_pid="${pids[-1]}"

for _ in $(seq 1 120); do
  curl -fs -o /dev/null "$base/api/events" && break
  kill -0 "$host_pid" 2>/dev/null || { echo "== the host exited before it answered; see above"; exit 1; }
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
echo "  Organiser console: $base/api/console"
echo "    development sign-in (Development only; no password): open it, press \"以演示管理员登录 Sign in as the demo admin\" ($EventFunctions__Console__Admins)"
echo "  Organiser API:  $base/api/events   (function key in Azure)"
curl -fs "$base/api/events" | python3 -c 'import json,sys
for e in json.load(sys.stdin): print("  Sign-up form:   " + e["signUpUrl"] + "   (" + e["title"] + ")")' || true
echo "  Outbox (.eml):  $root/.outbox"
echo "Press Ctrl-C to stop."
wait
