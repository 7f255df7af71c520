#!/usr/bin/env bash
# Installs the Debian packages olfato's optional stages use, where this user can
# (root with apt-get). Elsewhere it says what is missing and carries on: the tests
# that need a package skip with that reason.
set -u
packages=()
need() { dpkg -s "$1" >/dev/null 2>&1 || packages+=("$1"); }
# (stages add their packages here)
need apertium-eng-spa  # translate: the default offline ES<->EN engine (pulls in apertium)
# store/report (issue 8): PostgreSQL for the store tests (scripts/postgres-test.sh runs a
# throwaway server on loopback); Pango and DejaVu fonts for WeasyPrint's PDF reports
need postgresql
need libpango-1.0-0
need libpangoft2-1.0-0
need fonts-dejavu-core
need libharfbuzz-subset0
# server (issue 15): the end-to-end tests drive Debian's headless Chromium with Playwright
need chromium
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: ${packages[*]}"
  apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null \
    || echo "warning: could not install ${packages[*]}; tests that need them will skip"
else
  echo "note: not root or no apt-get; missing Debian packages: ${packages[*]} (tests that need them will skip)"
fi
exit 0
