#!/usr/bin/env bash
# Installs what building and testing Peerwall needs and is missing; quick when all is present.
#   scripts/install-tools.sh          build tools (wasm target, cargo-leptos, wasm-bindgen, wasm-opt)
#   scripts/install-tools.sh --e2e    also Debian's Chromium for the browser tests
#   scripts/install-tools.sh --bench  also Chromium and the Hocuspocus side of the benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

CARGO_LEPTOS_VERSION=0.3.10
# The wasm-bindgen CLI must match the wasm-bindgen library in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target (seconds)"
  rustup target add wasm32-unknown-unknown
fi

for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "Adding the $component component (seconds; make lint and make test use it)"
    rustup component add "$component"
  fi
done

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (first time only: about 11 minutes on 2 cores)"
  # A debug build: it only orchestrates, and its release profile (fat LTO, one codegen unit)
  # takes 26 minutes here against 11, for output that is byte-for-byte the same.
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --debug
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (first time only: about 5 minutes)"
  # Not --locked: the CLI's own lock file pins a yanked crate.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

# wasm-opt from npm's binaryen (Debian's is too old); playwright-core for the browser tests.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "Installing the end2end npm packages (binaryen for wasm-opt, playwright-core)"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "${1:-}" = "--bench" ] && { [ ! -d bench/hocuspocus/node_modules ] || [ bench/hocuspocus/package-lock.json -nt bench/hocuspocus/node_modules/.package-lock.json ]; }; then
  say "Installing the Hocuspocus comparison's npm packages (sqlite3 compiles from source: 2 minutes)"
  # sqlite3 is built here against Debian's Node headers, never fetched prebuilt from GitHub.
  (cd bench/hocuspocus && npm_config_build_from_source=true npm_config_nodedir=/usr \
    npm ci --no-audit --no-fund --loglevel=error)
fi

if [ -n "${1:-}" ] && [ ! -x /usr/bin/chromium ]; then
  say "Installing Debian's Chromium for the browser tests (a minute or two)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
