//! The only module that speaks SurrealQL: the connection, migrations and repositories.

mod connection;
pub mod invitation;
pub mod migrations;
pub mod people;
pub mod review;

pub(crate) use connection::retry_conflicts;
pub use connection::{Database, DbError};
