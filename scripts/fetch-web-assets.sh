#!/usr/bin/env bash
# Fetches the web UI's map library (Leaflet, BSD-2-Clause) from the npm registry into
# olfato/server/static/vendor/leaflet/ (git-ignored): leaflet.js, leaflet.css, the
# marker images and the LICENSE. Run once at set-up (the Makefile's install step does);
# the server never downloads anything at run time. Without npm it says so and the web
# UI's map is unavailable (the API and its tests do not need it).
set -euo pipefail
VERSION=1.9.4
# the tarball's SHA-512 from the npm registry (dist.integrity), checked before use
INTEGRITY="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/olfato/server/static/vendor/leaflet"
if [ -f "$dest/leaflet.js" ] && [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$VERSION" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "note: npm is not installed; the web UI's map library (Leaflet) was not fetched" >&2
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "leaflet@$VERSION" >/dev/null)
tgz="$tmp/leaflet-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "error: leaflet-$VERSION.tgz does not match the registry's checksum" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$tmp"
rm -rf "$dest"
mkdir -p "$dest/images"
cp "$tmp/package/dist/leaflet.js" "$tmp/package/dist/leaflet.css" "$tmp/package/LICENSE" "$dest/"
cp "$tmp/package/dist/images/"*.png "$dest/images/"
echo "$VERSION" > "$dest/.version"
echo "Leaflet $VERSION -> $dest"
