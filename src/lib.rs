//! wirefeed: a news-wire syndication server.
//!
//! Data flows one way: `config` → `store` → `classify` → `render` → `feeds` → `http` / `cli`.

// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "256"]

pub mod app;
pub mod articles;
pub mod auth;
pub mod cdn;
pub mod changes;
pub mod classify;
pub mod cli;
pub mod config;
pub mod feeds;
pub mod http;
pub mod import;
pub mod ingest;
pub mod limits;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod pages;
pub mod publish;
pub mod render;
pub mod store;
pub mod text;
pub mod urls;
pub mod usage;
pub mod websub;
