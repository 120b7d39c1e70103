#![allow(clippy::unwrap_used)] // the whole crate is tests: a panic is the test failing with its reason
//! Integration tests: the real server on an ephemeral port over a real SurrealDB (in memory or in
//! a temporary folder). One test binary, so the large server links once.

mod support;

mod audit;
mod authz;
mod backup;
mod bench;
mod benchmark;
mod cluster;
mod config_errors;
mod group_commit;
mod health;
mod invitations;
mod mail;
mod migrations;
mod oidc;
mod pack;
mod pages;
mod pci;
mod people;
mod plan;
mod presentation;
mod report;
mod retention;
mod reviews;
mod security;
mod shutdown;
mod timetable;
mod wall;
