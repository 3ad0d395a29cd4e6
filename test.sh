#!/usr/bin/env bash
# Runs every Grid test (README: "Quick start"). Installs what the tests need, builds in Release,
# runs each test project, and ends with one summary line: "Total: N passed, N failed, N skipped".
# ./test.sh --fast runs only the projects of pure logic (no silo, no Redis, no processes): well under a minute.
set -uo pipefail
cd "$(dirname "$0")"

# The test projects (tests/*.Tests); tests/Grid.Testing is the library they share, not a test project.
projects=(tests/*.Tests/*.csproj)
fast=0
if [ "${1:-}" = "--fast" ]; then
  fast=1
  projects=(tests/Grid.Abstractions.Tests/Grid.Abstractions.Tests.csproj tests/Grid.Unit.Tests/Grid.Unit.Tests.csproj)
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Installs Debian package $2 with apt when command $1 is missing (full runs only).
install_missing() {
  command -v "$1" >/dev/null && return 0
  echo "== installing $2 (apt-get)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; } ||
    { echo "could not install $2: run 'apt-get install -y $2' and retry"; exit 1; }
}
if [ "$fast" -eq 0 ]; then
  # The GCS and cluster tests run a real redis-server on loopback (the fixtures start and stop it).
  install_missing redis-server redis-server
  # The dashboard's browser test: Playwright drives Debian's chromium (ExecutablePath), no browser download.
  command -v chromium-browser >/dev/null || install_missing chromium chromium
fi
# Where apt also starts a system redis on 6379, it is left alone: the tests pick free ports.
if [ "$fast" -eq 1 ]; then
  for project in "${projects[@]}"; do dotnet build "$project" -c Release -warnaserror -v quiet -nologo || exit 1; done
else
  dotnet build Grid.sln -c Release -warnaserror -v quiet -nologo || exit 1
fi

log=$(mktemp)
status=0
for project in "${projects[@]}"; do
  echo "== $project"
  # A test that hangs is killed after 5 minutes and named in the log, so the run fails instead of stalling CI.
  dotnet test "$project" -c Release --no-build -nologo --logger "console;verbosity=normal" \
    --blame-hang --blame-hang-timeout 5m --blame-hang-dump-type none 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done

sum() { grep -oE "$1: +[0-9]+" "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}'; }
echo "Total: $(sum Passed) passed, $(sum Failed) failed, $(sum Skipped) skipped"
rm -f "$log"
exit $status
