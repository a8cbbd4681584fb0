//! Integration tests: the real server over HTTP, the real CLI, the real store.

mod bad_bodies;
mod change_bus;
mod classify_eval;
mod cli;
mod concurrency;
mod durability;
mod feeds;
mod golden;
mod hardening;
mod helpers;
mod http_cache;
mod lifecycle;
mod media;
mod ops;
mod pages;
mod promises;
mod properties;
mod publish;
mod search_feeds;
mod store_plan;
mod subscribers;
mod sweeps;
mod validators;
mod websub;
mod websub_harness;
mod wire;
