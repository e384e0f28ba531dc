//! Domain types, parsed once at the edge: a value of one of these types is valid.
pub mod auth;
pub mod certificate;
pub mod daily;
pub mod firm;
pub mod ids;
pub mod package;
pub mod plan;
pub mod policy;
pub mod roster;
pub mod sheet;
pub mod workflow;
