//! The only module that speaks SurrealQL: the connection, migrations and repositories, one per
//! concept (accounts, invitations, organisations, membership, audit, reviews, the wall).

pub mod access;
pub mod accounts;
pub mod audit;
pub mod benchmark;
mod connection;
pub mod invitations;
pub mod live;
mod location;
pub mod membership;
pub mod migrations;
pub mod oidc;
pub mod organisations;
pub mod outbox;
pub mod pack;
pub mod plan;
pub mod presence;
mod records;
pub mod report;
pub mod retention;
pub mod review;
pub mod site;
pub mod visit;
pub mod wall;

pub use connection::{Database, DbError};
pub(crate) use connection::{is_away, retry_conflicts};
pub use location::{DatabaseConfig, DatabaseLocation, OpenError};
