# Peerwall: `make run` serves the demo, `make test` runs every test. Both install what is missing.

SHELL := /bin/bash
# One warm target folder outside the clone, shared by every checkout on this machine.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/peerwall/target
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)
PEERWALL_BIN := $(CARGO_TARGET_DIR)/debug/peerwall

.PHONY: run run-mail run-oidc test tools tools-e2e tools-bench front server build unit e2e fault-ci lint lint-quick fmt clean-data \
	bench bench-baseline bench-build bench-soak bench-capacity bench-fault bench-cluster-fault bench-cluster-load

## Serve the demo review at http://127.0.0.1:3000 with the embedded database in ./data.
run: tools build
	$(PEERWALL_BIN) --demo $(ARGS)

## The demo with email: a local SMTP server that shows each mail in this terminal, and the demo
## sending invitations to it.
run-mail: tools-e2e build
	@node end2end/smtp-sink.mjs 2525 --readable & trap "kill $$!" EXIT; \
	$(PEERWALL_BIN) --demo --smtp-url smtp://127.0.0.1:2525 --mail-from "Peerwall demo <peerwall@demo.peerwall.test>" \
		--public-url http://127.0.0.1:3000 $(ARGS)

## The demo with "Sign in with your organisation": a local OpenID provider on 127.0.0.1:3001
## (the npm oidc-provider) whose sign-in page takes any address, and the demo offering it.
run-oidc: tools-e2e build
	@node end2end/oidc-provider.mjs 3001 peerwall demo-client-secret http://127.0.0.1:3000/auth/oidc/callback --readable 2>/dev/null & trap "kill $$!" EXIT; \
	sleep 1; $(PEERWALL_BIN) --demo --oidc-issuer http://127.0.0.1:3001 --oidc-client-id peerwall \
		--oidc-client-secret demo-client-secret --oidc-allowed-domains demo.peerwall.test,westshire.gov.uk \
		--public-url http://127.0.0.1:3000 $(ARGS)

## Lint (rustfmt, clippy for the server and the browser build), unit, integration (real
## SurrealDB), the fault run and browser end-to-end tests.
test: tools-e2e lint-quick build unit fault-ci e2e

# `make test` lints the server build while it builds: the workspace's own crates are compiled by
# clippy-driver (clippy's lints, then the ordinary compilation), for the server's debug build and
# for the tests', with warnings denied. A separate `cargo clippy` would check every dependency a
# second time (SurrealDB's among them: about 5 minutes of a cold run). Only the test target sets
# it; the browser's wasm is linted by its own pass (clippy turns MIR optimisation off, and the
# release wasm the browser tests load should be the one `make run` serves).
CLIPPY_DRIVER := $(shell rustc --print sysroot 2>/dev/null)/bin/clippy-driver
LINTED :=
test: LINTED := RUSTC_WORKSPACE_WRAPPER=$(CLIPPY_DRIVER) CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

tools:
	@scripts/install-tools.sh

tools-e2e:
	@scripts/install-tools.sh --e2e

tools-bench:
	@scripts/install-tools.sh --bench

## The browser bundle (wasm, JS, CSS, public assets) into target/site, size-optimised.
front:
	@echo "==> Building the front end (wasm in release, about 3 minutes cold)"
	cargo leptos build --release --frontend-only --split

## The server binary, the load generator and `surreal`, a SurrealDB server for the tests that run
## several nodes (debug builds; about 9 minutes cold, seconds warm). One cargo invocation for
## all three, so they share one build of every dependency, SurrealDB's among them.
server:
	@echo "==> Building the server (about 9 minutes cold)"
	$(LINTED) cargo build -p peerwall-server -p peerwall-bench -p peerwall-surreal --bin peerwall --bin peerwall-bench --bin surreal

## The front end is compressed once, at brotli's best quality (server/src/assets.rs).
build: front server
	$(PEERWALL_BIN) --site-root target/site precompress

unit:
	@echo "==> Unit and integration tests"
	$(LINTED) cargo test --workspace --no-fail-fast

## The fault run's short form: 8 kill -9 cycles under load; fails on a lost or diverged operation.
fault-ci:
	@echo "==> Fault run (kill -9 under load, short form)"
	$(CARGO_TARGET_DIR)/debug/peerwall-bench --server $(PEERWALL_BIN) --out $(CARGO_TARGET_DIR)/bench-ci fault --cycles 8
	@echo "==> Fault run across nodes (three nodes on one SurrealDB server: a node killed, the database restarted, paused, its live queries killed)"
	$(CARGO_TARGET_DIR)/debug/peerwall-bench --server $(PEERWALL_BIN) --out $(CARGO_TARGET_DIR)/bench-ci cluster-fault --cycles 4
	@echo "==> The fault run's checks must catch a loss: a run that restores an old copy of the database must fail"
	@set -o pipefail; if $(CARGO_TARGET_DIR)/debug/peerwall-bench --server $(PEERWALL_BIN) --out $(CARGO_TARGET_DIR)/bench-ci \
		fault --cycles 2 --sabotage 2>&1 | tee $(CARGO_TARGET_DIR)/bench-ci/sabotage.log; \
		then echo "the sabotaged fault run passed: its checks are broken"; exit 1; fi
	@grep -q "lost or diverged operations" $(CARGO_TARGET_DIR)/bench-ci/sabotage.log \
		|| { echo "the sabotaged fault run failed, but not by finding the loss"; exit 1; }
	@echo "==> The sabotaged run failed by finding the loss, as it must"

e2e:
	@echo "==> Browser tests in headless Chromium"
	cd end2end && PEERWALL_BIN=$(PEERWALL_BIN) npm test

## Benchmarks (docs/benchmarks.md): release builds, then Peerwall against Hocuspocus.
BENCH := $(CARGO_TARGET_DIR)/release/peerwall-bench --server $(CARGO_TARGET_DIR)/release/peerwall --out target/bench
## The build measured as "before" next to this one (the last commit before the group commit).
BENCH_BASELINE ?= d56020c

bench-baseline:
	@scripts/bench-baseline.sh $(BENCH_BASELINE) > /dev/null

bench-build: tools-bench front bench-baseline
	@echo "==> Building the server and the load generator in release (about 30 minutes cold, SurrealDB optimised)"
	cargo build --release -p peerwall-server -p peerwall-bench -p peerwall-surreal --bin peerwall --bin peerwall-bench --bin surreal
	$(CARGO_TARGET_DIR)/release/peerwall --site-root target/site precompress

## The whole comparison (before and after, against Hocuspocus), the big board and a fault run.
bench: bench-build
	$(BENCH) compare --baseline $$(scripts/bench-baseline.sh $(BENCH_BASELINE))
	$(BENCH) big-board
	$(BENCH) run capacity
	$(BENCH) fault --cycles 20

bench-soak: bench-build
	$(BENCH) run soak

bench-capacity: bench-build
	$(BENCH) run capacity

## The fault run's long form: 100 kill -9 cycles.
bench-fault: bench-build
	$(BENCH) fault --cycles 100

## Load across nodes: triangulation day and burst on one node embedded, one node and three nodes
## on a SurrealDB server, side by side (about 7 minutes a round).
bench-cluster-load: bench-build
	$(BENCH) cluster-load

## The fault run across nodes, long form: 52 faults (13 of each kind) over three nodes.
bench-cluster-fault: bench-build
	$(BENCH) cluster-fault --cycles 52

## Everything `make test` lints, as a pass of its own (checks without building).
lint: lint-quick
	cargo clippy --workspace --all-targets -- -D warnings

## What `make test` lints before it builds (the house rules, rustfmt, clippy for the browser);
## clippy for the server build runs inside that build.
lint-quick:
	python3 scripts/house-rules.py
	cargo fmt --all --check
	cargo clippy -p app --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

fmt:
	cargo fmt --all

clean-data:
	rm -rf ./data
