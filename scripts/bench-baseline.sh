#!/usr/bin/env bash
# Builds the server at an earlier commit, in release, once, for the benchmarks' "before" column
# (`peerwall-bench compare --baseline`): prints the binary's path. It is built from a git
# worktree into the same target folder, with the same packages as `make bench-build` (so with
# the same features: every dependency is built once for both); only Peerwall's own crates are
# compiled twice.
set -euo pipefail
rev=$(git rev-parse --short "${1:?usage: bench-baseline.sh <commit>}")
out="$PWD/target/bench/peerwall-$rev"
if [ -x "$out" ]; then
    echo "$out"
    exit 0
fi
src="$(mktemp -d)/peerwall-$rev"
git worktree add --detach "$src" "$rev" >&2
trap 'git worktree remove --force "$src"' EXIT
echo "==> Building the server as it was at $rev (the benchmarks' \"before\")" >&2
(cd "$src" && cargo build --release -p peerwall-server -p peerwall-bench -p peerwall-surreal \
    --bin peerwall --bin peerwall-bench --bin surreal >&2)
mkdir -p "$(dirname "$out")"
cp "${CARGO_TARGET_DIR:?}/release/peerwall" "$out"
# Cargo names a workspace's crates by their path inside it, so the earlier build's crates stand
# where this checkout's would: touched, this checkout's are all compiled again at the next build.
find app bench server surreal -name '*.rs' -exec touch {} +
echo "$out"
