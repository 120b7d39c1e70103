//! The only module that speaks SurrealQL: the connection, migrations and repositories.

pub mod access;
mod connection;
pub mod invitation;
pub mod live;
pub mod migrations;
pub mod organisation;
pub mod people;
mod records;
pub mod review;
pub mod site;
pub mod wall;

pub(crate) use connection::retry_conflicts;
pub use connection::{Database, DbError};
