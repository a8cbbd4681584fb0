//! wirefeed: a news-wire syndication server.
//!
//! Layers, lowest first; a module uses only modules of a lower layer (`tests/layers.rs`
//! enforces it, and that the files of one folder import each other without a circle):
//!
//! 0. `text`: Unicode text helpers.
//! 1. `model`: articles, ids, formats and value helpers (`rfc3339`, `lang_key`, `now`).
//! 2. `config` (`feeds.toml`, checked), `metrics` (the registry), `logging`.
//! 3. `store`: SQLite — articles, versions, the change log, search index, keys, WebSub tables.
//! 4. `changes` (the change bus), `auth` (keys and principals), `usage` (key usage counts),
//!    `classify` (rules and the topic model), `places` (the countries a story is about),
//!    `media` (pictures' files: checks, metadata,
//!    renditions, the media folder).
//! 5. `limits` (rate limits), `ingest` (article files and bodies), `urls` (the one URL map).
//! 6. `articles` (input → classified, storable article), `render` (RSS, Atom, NewsML-G2, JSON
//!    Feed, ninjs, OPML).
//! 7. `import` (bulk import), `pages` (HTML pages).
//! 8. `feeds` (documents, page cache, access), `publish` (the publishing service and its
//!    durable writer), `cdn` (purging a shared cache).
//! 9. `websub`: the WebSub hub; `alerts`: email alerts (subscriptions, the outbox, SMTP).
//! 10. `app`: the application context that builds and starts everything.
//! 11. `http`: actix-web routes, handlers, the gate, problem+json.
//! 12. `cli`: the `wirefeed` command.

// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "256"]

pub mod alerts;
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
pub mod media;
pub mod metrics;
pub mod model;
pub mod pages;
pub mod places;
pub mod publish;
pub mod render;
pub mod store;
pub mod text;
pub mod threads;
pub mod urls;
pub mod usage;
pub mod websub;
