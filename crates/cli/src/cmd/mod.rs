//! The command groups, each with its arguments and its dispatch over the core's operations.

pub mod admin;
pub mod apps;
pub mod firms;
pub mod local;
pub mod review;
pub mod users;
