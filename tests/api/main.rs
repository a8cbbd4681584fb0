//! Integration tests: the real server over HTTP, the real CLI, the real store.

mod classify_eval;
mod cli;
mod feeds;
mod golden;
mod helpers;
mod http_cache;
mod promises;
mod properties;
mod store_plan;
mod subscribers;
