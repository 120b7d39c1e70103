//! `surreal`: SurrealDB's server, as its own binary does it (`surreal start …`), built from the
//! `surrealdb-server` crate with the memory and SurrealKV engines only. Peerwall's tests and
//! benchmarks start it on loopback to run several nodes on one real database server.

// SurrealDB's query evaluation is deeply nested async code: laying it out in an optimised build
// needs more than the default recursion limit, the one SurrealDB's own crates set.
#![recursion_limit = "256"]

use std::process::ExitCode;

fn main() -> ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
