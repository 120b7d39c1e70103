//! `surreal`: SurrealDB's server, as its own binary does it (`surreal start …`), built from the
//! `surrealdb-server` crate with the memory and SurrealKV engines only. Peerwall's tests and
//! benchmarks start it on loopback to run several nodes on one real database server.

use std::process::ExitCode;

fn main() -> ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
