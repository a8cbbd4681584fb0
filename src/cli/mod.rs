//! The command line (CONTRACT §1): parse, dispatch, and report errors with exit codes.

use crate::classify::Classifier;
use crate::config::Config;
use crate::feeds::Feeds;
use crate::import::{ImportError, ImportSummary};
use crate::ingest::{self, Entry, Rules};
use crate::model::{ArticleId, Draft};
use crate::store::{self, Store};
use clap::{Parser, Subcommand};
use serde_json::json;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Prints a line on stdout; a closed pipe (`wirefeed check | head -1`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod newsroom;
mod websub;

use newsroom::{keys, kill};
use websub::{WebSubAction, websub};

/// wirefeed: a news-wire syndication server (RSS, Atom, NewsML-G2, JSON Feed).
#[derive(Debug, Parser)]
#[command(name = "wirefeed", version, about)]
struct Cli {
    /// Configuration file.
    #[arg(
        long,
        global = true,
        env = "WIREFEED_CONFIG",
        default_value = "feeds.toml"
    )]
    config: PathBuf,
    /// SQLite database (default: `storage.database` from the config).
    #[arg(long, global = true, env = "WIREFEED_DATABASE")]
    database: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (the default command).
    Serve {
        /// Address to listen on (default: `server.bind`, else 127.0.0.1:8080).
        #[arg(long, env = "WIREFEED_BIND")]
        bind: Option<String>,
        /// Public base URL for links in feeds, overriding `agency.base_url`.
        #[arg(long, env = "WIREFEED_BASE_URL")]
        base_url: Option<String>,
    },
    /// Import article files and folders (.md, .json, .jsonl).
    Import {
        /// Files or folders (folders are read recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Print the topics of articles (files, or JSON lines on stdin) without storing them.
    Classify {
        /// Files or folders; `-` or nothing reads JSON lines from stdin.
        paths: Vec<PathBuf>,
        /// Show why: rules that fired, scores, thresholds and the model features that counted
        /// (readable text on a terminal, JSON lines with `"matches"` otherwise or with `--json`).
        #[arg(long)]
        explain: bool,
        /// With `--explain`: JSON lines even on a terminal.
        #[arg(long)]
        json: bool,
    },
    /// Train the topic model on labelled stories and write its weights file.
    Train {
        /// Labelled JSON-lines files or folders (default: the corpus in tests/data, blind sets
        /// excluded); a fifth of the stories, chosen by id, is held out and never trained on.
        paths: Vec<PathBuf>,
        /// Weights file to write (default: `classifier.model`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also list the training stories that cross-validation gets wrong (label errors and
        /// gaps in the corpus show there first).
        #[arg(long)]
        mistakes: bool,
    },
    /// Recompute the topics of every stored article after the rules changed.
    Reclassify,
    /// Validate feeds.toml and the database schema.
    Check,
    /// Manage API keys (publisher and subscriber).
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// The WebSub hub's subscriptions.
    Websub {
        #[command(subcommand)]
        action: WebSubAction,
    },
    /// Kill an article: it leaves the feeds, kill notices go out, nothing is erased.
    Kill {
        /// The article id.
        id: String,
        /// Why (shown in every kill notice).
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysAction {
    /// Create a key and print its token (shown only this once).
    Add {
        /// A unique name for the key (shown in logs and `keys list` instead of the token).
        name: String,
        /// `publisher` (the API, every feed) or `subscriber` (the restricted feeds listed).
        #[arg(long, value_parser = ["publisher", "subscriber"])]
        role: String,
        /// A restricted feed this subscriber key reaches (repeat for more).
        #[arg(long = "feed")]
        feeds: Vec<String>,
        /// Expire after this long (`90d`, `12h`).
        #[arg(long)]
        expires: Option<String>,
        /// Requests per minute for this key (default `limits.key_per_minute`).
        #[arg(long)]
        rate: Option<u32>,
    },
    /// List keys (never their tokens).
    List {
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key at once.
    Revoke {
        /// The key's name.
        name: String,
    },
}

/// A failure with its exit code: 1 runtime, 2 usage or config.
#[derive(Debug)]
pub struct CliError {
    code: u8,
    message: String,
}

impl CliError {
    fn runtime(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }
    fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<store::StoreError> for CliError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Missing(_) | store::StoreError::TooNew { .. } => {
                CliError::usage(e.to_string())
            }
            e => CliError::runtime(e.to_string()),
        }
    }
}

/// Entry point of the binary: returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WIREFEED_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            for line in e.message.lines() {
                eprintln!("wirefeed: {line}");
            }
            ExitCode::from(e.code)
        }
    }
}

fn load_config(path: &Path) -> Result<Config, CliError> {
    Config::load(path).map_err(|e| CliError::usage(e.to_string()))
}

fn run(cli: Cli) -> Result<u8, CliError> {
    let command = cli.command.unwrap_or(Command::Serve {
        bind: None,
        base_url: None,
    });
    let mut config = load_config(&cli.config)?;
    let database = cli
        .database
        .clone()
        .unwrap_or_else(|| config.database.clone());
    match command {
        Command::Serve { bind, base_url } => {
            if let Some(u) = base_url {
                config.agency.base_url = crate::config::check_base_url(&u)
                    .map_err(|m| CliError::usage(format!("--base-url / WIREFEED_BASE_URL: {m}")))?;
            }
            serve(config, &database, bind)
        }
        Command::Import { paths } => {
            let store = open_store(&config, &database, true)?;
            store.bulk_mode()?;
            let summary = import(&config, &store, &paths, true)?;
            say!("{summary}");
            Ok(u8::from(summary.invalid > 0))
        }
        Command::Classify {
            paths,
            explain,
            json,
        } => classify(&config, &paths, explain, json),
        Command::Train {
            paths,
            out,
            mistakes,
        } => train(&config, &cli.config, &paths, out, mistakes),
        Command::Reclassify => {
            let store = open_store(&config, &database, false)?;
            let classifier = Classifier::new(&config);
            let mut near_misses = Vec::new();
            let changed = store.reclassify(|a| {
                let (topics, close) = classifier.review(&a.content);
                for s in close {
                    near_misses.push(format!("{} {}: {}", a.id, s.topic, s.reason));
                }
                topics
            })?;
            say!("reclassified: {changed} articles changed topics");
            if !near_misses.is_empty() {
                say!(
                    "near misses ({}), just under a topic's min_score; review them with `wirefeed classify --explain`:",
                    near_misses.len()
                );
                for n in near_misses {
                    say!("  {n}");
                }
            }
            Ok(0)
        }
        Command::Check => check(&config, &cli.config, &database),
        Command::Keys { action } => keys(&config, &database, action),
        Command::Websub { action } => websub(&config, &database, action),
        Command::Kill { id, reason } => kill(&config, &database, &id, reason),
    }
}

fn serve(config: Config, database: &Path, bind: Option<String>) -> Result<u8, CliError> {
    let store = open_store(&config, database, true)?;
    if store.count()? == 0
        && let Some(seed) = config.seed_dir.clone()
    {
        if seed.is_dir() {
            let summary = import(&config, &store, std::slice::from_ref(&seed), false)?;
            tracing::info!(seed = %seed.display(), %summary, "imported seed articles on first start");
        } else {
            tracing::warn!(seed = %seed.display(), "storage.seed_dir does not exist; starting empty");
        }
    }
    let addr = bind
        .or_else(|| config.bind.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listener = crate::http::listen(&addr)
        .map_err(|e| CliError::runtime(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| CliError::runtime(e.to_string()))?;
    let (config, store) = (Arc::new(config), Arc::new(store));
    let newsroom = Arc::new(crate::publish::Newsroom::new(
        config.clone(),
        store.clone(),
    )?);
    let usage = Arc::new(crate::usage::Usage::default());
    spawn_usage_flush(usage.clone(), store.clone());
    let feeds = Arc::new(Feeds::new(config, store));
    feeds.watch();
    let hub = crate::hub::Hub::start(feeds.clone())
        .map_err(|e| CliError::runtime(format!("cannot start the WebSub hub: {e}")))?;
    actix_web::rt::System::new().block_on(async move {
        let server = crate::http::server(listener, feeds, newsroom, usage, hub)
            .map_err(|e| CliError::runtime(e.to_string()))?;
        say!("listening on http://{local}");
        let _ = std::io::stdout().flush();
        tracing::info!(%local, "serving");
        server.await.map_err(|e| CliError::runtime(e.to_string()))
    })?;
    Ok(0)
}

/// Opens the database and tells it which topics only restricted feeds select (articles all of
/// whose topics are among them are for subscribers only).
pub(crate) fn open_store(
    config: &Config,
    database: &Path,
    create: bool,
) -> Result<Store, CliError> {
    let store = Store::open(database, create)?;
    let changed = store.set_restricted_topics(&config.restricted_topics())?;
    if changed > 0 {
        tracing::info!(
            articles = changed,
            "subscriber-only articles recomputed for the config's restricted feeds"
        );
    }
    Ok(store)
}

/// How often key usage counted in memory is written to the database.
const USAGE_FLUSH: std::time::Duration = std::time::Duration::from_secs(5);

/// Writes key usage in batches, never a write per request.
fn spawn_usage_flush(usage: Arc<crate::usage::Usage>, store: Arc<Store>) {
    std::thread::Builder::new()
        .name("wirefeed-usage".into())
        .spawn(move || {
            loop {
                std::thread::sleep(USAGE_FLUSH);
                if let Err(e) = usage.flush(&store) {
                    tracing::warn!(error = %e, "cannot write key usage; kept for the next flush");
                }
            }
        })
        .expect("spawning a thread");
}

fn topic_ids(config: &Config) -> Vec<String> {
    config.topics.iter().map(|t| t.id.clone()).collect()
}

fn report(e: &Entry) -> Option<&Draft> {
    match &e.result {
        Ok(d) => Some(d),
        Err(reason) => {
            eprintln!("wirefeed: {}:{}: {reason}", e.path.display(), e.line);
            None
        }
    }
}

/// Imports with the CLI's error mapping: a missing path is a usage error.
fn import(
    config: &Config,
    store: &Store,
    paths: &[PathBuf],
    progress: bool,
) -> Result<ImportSummary, CliError> {
    crate::import::import(config, store, paths, progress).map_err(|e| match e {
        ImportError::Paths(m) => CliError::usage(m),
        ImportError::Store(e) => e.into(),
    })
}

fn classify(config: &Config, paths: &[PathBuf], explain: bool, json: bool) -> Result<u8, CliError> {
    let topics = topic_ids(config);
    let rules = Rules {
        default_language: &config.agency.language,
        topics: &topics,
    };
    let classifier = Classifier::new(config);
    let stdin = paths.is_empty() || paths.iter().any(|p| p.as_os_str() == "-");
    let mut entries = Vec::new();
    if stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::runtime(format!("stdin: {e}")))?;
        entries.extend(ingest::read_json_lines(Path::new("<stdin>"), &text, &rules));
    }
    let files: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    for file in ingest::collect_files(&files).map_err(CliError::usage)? {
        entries.extend(ingest::read_file(&file, &rules));
    }
    let mut invalid = false;
    // Readable text for a person at a terminal; scripts and pipes keep the JSON lines.
    let text = explain && !json && std::io::stdout().is_terminal();
    let mut out = std::io::stdout().lock();
    for entry in &entries {
        let Some(draft) = report(entry) else {
            invalid = true;
            continue;
        };
        let id = draft.id.as_ref().map(ArticleId::as_str);
        let topics = classifier.topics(&draft.content);
        let shown = if !explain {
            json!({ "id": id, "topics": topics }).to_string()
        } else {
            let scores: Vec<_> = classifier
                .explain(&draft.content)
                .into_iter()
                .filter(|s| {
                    s.matched
                        || s.editor
                        || s.near_miss
                        || !s.hits.is_empty()
                        || !s.excluded.is_empty()
                })
                .collect();
            if text {
                explain_text(id, &draft.content.headline, &topics, &scores)
            } else {
                let mut line = json!({ "id": id, "topics": topics });
                line["matches"] = serde_json::to_value(scores).expect("scores serialise");
                line.to_string()
            }
        };
        match writeln!(out, "{shown}") {
            Ok(()) => {}
            // The reader went away (`| head`): stop quietly.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
            Err(e) => return Err(CliError::runtime(e.to_string())),
        }
    }
    Ok(u8::from(invalid))
}

/// `classify --explain` for a person: the topics, then one sentence per topic considered.
fn explain_text(
    id: Option<&str>,
    headline: &str,
    topics: &[String],
    scores: &[crate::classify::TopicScore],
) -> String {
    let mut out = format!(
        "{} — {headline}\n  topics: {}\n",
        id.unwrap_or("(no id)"),
        if topics.is_empty() {
            "none".to_owned()
        } else {
            topics.join(", ")
        }
    );
    for s in scores {
        out.push_str(&format!("  {}: {}\n", s.topic, s.reason));
    }
    out
}

/// `wirefeed train`: fits the model on the labelled corpus and writes the weights file.
fn train(
    config: &Config,
    config_path: &Path,
    paths: &[PathBuf],
    out: Option<PathBuf>,
    mistakes: bool,
) -> Result<u8, CliError> {
    use crate::classify::train::{self, Quality};
    let start = std::time::Instant::now();
    let base = config_path.parent().unwrap_or(Path::new("."));
    let paths: Vec<PathBuf> = if paths.is_empty() {
        ["classify-corpus.jsonl", "classify-holdout.jsonl", "train"]
            .iter()
            .map(|p| base.join("tests/data").join(p))
            .collect()
    } else {
        paths.to_vec()
    };
    let out = out.or_else(|| config.model.clone()).ok_or_else(|| {
        CliError::usage("no weights file: set classifier.model in the config or pass --out")
    })?;
    let topics = topic_ids(config);
    let rules = Rules {
        default_language: &config.agency.language,
        topics: &topics,
    };
    let mut examples = Vec::new();
    for file in ingest::collect_files(&paths).map_err(CliError::usage)? {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| CliError::runtime(format!("{}: {e}", file.display())))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = |e: String| CliError::usage(format!("{}:{}: {e}", file.display(), n + 1));
            #[derive(serde::Deserialize)]
            struct Labelled {
                expected: Vec<String>,
                article: ingest::ArticleInput,
            }
            let l: Labelled = serde_json::from_str(line).map_err(|e| at(e.to_string()))?;
            let draft = l.article.validate(&rules).map_err(|e| {
                at(e.iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; "))
            })?;
            let id = draft
                .id
                .as_ref()
                .map(ArticleId::to_string)
                .ok_or_else(|| at("a labelled story needs an id".to_owned()))?;
            examples.push(train::Example {
                id,
                content: draft.content,
                labels: l.expected,
            });
        }
    }
    examples.sort_by(|a, b| a.id.cmp(&b.id));
    examples.dedup_by(|a, b| a.id == b.id);
    let (held, used): (Vec<_>, Vec<_>) = examples
        .into_iter()
        .partition(|e| train::is_held_out(&e.id));
    let (file, reports) = train::train(config, &used);
    let text = serde_json::to_string_pretty(&file).expect("model serialises") + "\n";
    std::fs::write(&out, &text)
        .map_err(|e| CliError::runtime(format!("{}: {e}", out.display())))?;
    say!(
        "trained on {} stories ({} held out) in {:.1} s; wrote {}",
        used.len(),
        held.len(),
        start.elapsed().as_secs_f64(),
        out.display()
    );
    let fmt = |q: Quality| {
        format!(
            "P {:.3} R {:.3} F1 {:.3}",
            q.precision(),
            q.recall(),
            q.f1()
        )
    };
    for r in &reports {
        say!(
            "  {:<20} threshold {:.2}, veto {:.2}, {} features; cross-validated: rules {}; model {}; combined {}",
            r.topic,
            r.threshold,
            r.veto,
            r.features,
            fmt(r.rules),
            fmt(r.model),
            fmt(r.combined)
        );
        if mistakes {
            for (id, want, p) in &r.mistakes {
                let headline = used
                    .iter()
                    .find(|e| &e.id == id)
                    .map_or("", |e| e.content.headline.as_str());
                let what = if *want { "missed" } else { "wrongly in" };
                say!("    {what}: {id} (p {p:.2}) {headline}");
            }
        }
    }
    let classifier = Classifier::with_model(config, &text).map_err(CliError::runtime)?;
    say!("held out ({} stories, never trained on):", held.len());
    for r in &reports {
        let mut q = Quality::default();
        for e in &held {
            q.add(
                e.labels.contains(&r.topic),
                classifier.topics(&e.content).contains(&r.topic),
            );
        }
        say!("  {:<20} {}", r.topic, fmt(q));
    }
    Ok(0)
}

fn check(config: &Config, config_path: &Path, database: &Path) -> Result<u8, CliError> {
    // The config has already loaded without problems if we got here.
    say!(
        "{}: ok ({} topics, {} feeds)",
        config_path.display(),
        config.topics.len(),
        config.feed_list.len()
    );
    match store::inspect(database)? {
        None => {
            say!(
                "{}: not created yet; `wirefeed serve` or `import` creates it",
                database.display()
            );
            Ok(0)
        }
        Some(problems) if problems.is_empty() => {
            say!("{}: ok", database.display());
            Ok(0)
        }
        Some(problems) => Err(CliError::usage(
            problems
                .iter()
                .map(|p| format!("{}: {p}", database.display()))
                .collect::<Vec<_>>()
                .join("\n"),
        )),
    }
}
