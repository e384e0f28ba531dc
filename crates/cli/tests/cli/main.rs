//! End-to-end tests of the `reopen` command against `shared/design/cli.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

mod admin;
mod bad_input;
mod certs;
mod check;
mod concurrency;
mod forms;
mod hostile;
mod journey;
mod matrix;
mod packages;
mod permissions;
mod readme;
mod reports;
mod server;
