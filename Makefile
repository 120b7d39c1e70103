# Peerwall: `make run` serves the demo, `make test` runs every test. Both install what is missing.

SHELL := /bin/bash
# One warm target folder outside the clone, shared by every checkout on this machine.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/peerwall/target
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)
PEERWALL_BIN := $(CARGO_TARGET_DIR)/debug/peerwall

.PHONY: run test tools tools-e2e front server build unit e2e lint fmt clean-data

## Serve the demo review at http://127.0.0.1:3000 with the embedded database in ./data.
run: tools build
	$(PEERWALL_BIN) --demo $(ARGS)

## Unit, integration (real SurrealDB) and browser end-to-end tests.
test: tools-e2e build unit e2e

tools:
	@scripts/install-tools.sh

tools-e2e:
	@scripts/install-tools.sh --e2e

## The browser bundle (wasm, JS, CSS, public assets) into target/site, size-optimised.
front:
	@echo "==> Building the front end (wasm in release, about 3 minutes cold)"
	cargo leptos build --release --frontend-only

## The server binary (debug build; about 8 minutes cold, seconds warm).
server:
	@echo "==> Building the server (about 8 minutes cold)"
	cargo build -p peerwall-server --bin peerwall

build: front server

unit:
	@echo "==> Unit and integration tests"
	cargo test --workspace --no-fail-fast

e2e:
	@echo "==> Browser tests in headless Chromium"
	cd end2end && PEERWALL_BIN=$(PEERWALL_BIN) npm test

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p app --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

fmt:
	cargo fmt --all

clean-data:
	rm -rf ./data
