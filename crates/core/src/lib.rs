//! reopen-core: everything the Reopen (复工复产审批) product does, free of Tauri and of I/O globals.
//!
//! The one straight line: a caller (CLI, desktop app, test) opens a [`Reopen`] on a SQLite file,
//! logs a user in to get an [`Actor`](domain::auth::Actor), and calls use cases with that actor
//! and `now`. Every use case checks permission, applies a pure domain decision, persists it and
//! appends an audit event in one IMMEDIATE transaction.
pub mod api;
pub mod audit;
pub mod documents;
pub mod domain;
pub mod error;
pub mod keys;
pub mod model;
pub mod reference;
pub mod service;
pub mod store;
pub mod time;

pub use error::{Error, ErrorKind, FieldError, Lang, Result, Text};
pub use service::Reopen;
