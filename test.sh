#!/usr/bin/env bash
# Runs every test: installs what the tests need (Azurite from npm, NuGet packages), builds, runs all
# test projects, then the fault-injection run (bench/EventFunctions.Chaos, ${CHAOS_SECONDS:-60} s) and the abuse
# run (bench/EventFunctions.Abuse, ${ABUSE_SECONDS:-60} s), and ends with one summary line over them (each run
# counts as one test): "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot run here);
# a CJK font so Chinese renders as text, not empty boxes.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
  echo "== installing chromium and a CJK font (apt-get)"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi

echo "== installing Azurite (npm ci)"
npm ci --no-audit --no-fund --loglevel=error

echo "== building"
# Warnings are errors in our projects (Directory.Build.props); the console shows errors only, since the
# Worker SDK's generated extensions project warns NU1603 about package versions this feed lacks.
dotnet build EventFunctions.sln -c Release --nologo -v q -clp:ErrorsOnly

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
echo "== testing"
dotnet test EventFunctions.sln -c Release --no-build --nologo \
  --logger "trx;LogFilePrefix=run" --results-directory "$results" || status=$?

# The fault-injection run (README.md: "Fault-injection and abuse runs"), counted as one more test in the summary line.
chaos_seconds="${CHAOS_SECONDS:-60}"
echo "== fault-injection run (${chaos_seconds} s)"
{ dotnet run -c Release --no-build --project bench/EventFunctions.Chaos -- --seconds "$chaos_seconds" 2>&1 \
    || echo $? > "$results/chaos.rc"; } | tee "$results/chaos.log"
chaos_status=0
if [ -f "$results/chaos.rc" ]; then chaos_status="$(cat "$results/chaos.rc")"; fi
echo "== fault-injection result (exit $chaos_status): $(tail -n 1 "$results/chaos.log")"
if [ "$chaos_status" -ne 0 ]; then status=1; fi

# The abuse run (docs/abuse.md): a bot against 100 real people for 40 seats, counted as one more test.
abuse_seconds="${ABUSE_SECONDS:-60}"
echo "== abuse run (${abuse_seconds} s)"
{ dotnet run -c Release --no-build --project bench/EventFunctions.Abuse -- --seconds "$abuse_seconds" 2>&1 \
    || echo $? > "$results/abuse.rc"; } | tee "$results/abuse.log"
abuse_status=0
if [ -f "$results/abuse.rc" ]; then abuse_status="$(cat "$results/abuse.rc")"; fi
echo "== abuse result (exit $abuse_status): $(tail -n 1 "$results/abuse.log")"
if [ "$abuse_status" -ne 0 ]; then status=1; fi

# One line over all test projects, read from the TRX files (one per project).
python3 - "$results" "$chaos_status" "$abuse_status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed")); failed += int(c.get("failed")) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
if not files:
    failed = 1
for run_status in sys.argv[2:]:  # the chaos and abuse runs, one test each
    if run_status == "0":
        passed += 1
    else:
        failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
