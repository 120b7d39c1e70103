//! The council's data (../shared/ARCHITECTURE.md's `benchmark` concept): benchmarking in the
//! shape of the Local Government Benchmarking Framework, charted per indicator the team picks
//! (`model.rs`, `chart.rs`, `page.rs`; the import is `server/src/benchmark.rs`).

mod api;
mod chart;
mod model;
mod page;

pub use api::*;
pub use model::*;
pub use page::BenchmarkPage;
