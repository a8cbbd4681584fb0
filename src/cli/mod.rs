//! The command line (docs/api.md, Command line): parse, dispatch, and report errors with exit codes.

use crate::classify::Classifier;
use crate::config::Config;
use crate::import::{ImportError, ImportSummary};
use crate::ingest::Entry;
use crate::model::Draft;
use crate::store::{self, Store};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Prints a line on stdout; a closed pipe (`wirefeed check | head -1`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod alerts;
mod classify;
mod newsroom;
mod serve;
mod websub;

use alerts::{AlertsAction, alerts};
use classify::{classify, train};
use newsroom::{keys, kill};
use serve::serve;
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
    /// Validate feeds.toml, the database schema and the media folder (every file a picture
    /// names is there; files nothing names are reported).
    Check {
        /// Also read every media file and check its bytes against its SHA-256 name.
        #[arg(long)]
        verify_media: bool,
    },
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
    /// Email alert subscriptions (list, remove an address).
    Alerts {
        #[command(subcommand)]
        action: AlertsAction,
    },
    /// Copy the database consistently while servers keep running (SQLite online backup).
    Backup {
        /// Where to write the copy; must not exist.
        path: PathBuf,
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
        /// Narrow the feeds this subscriber key lists to stories about these countries, read
        /// with the key (ISO 3166-1 alpha-2 codes; repeat, or comma-separate: `--country US,MX`).
        #[arg(long = "country")]
        countries: Vec<String>,
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
    // Kept until the process returns: dropping it writes out what is still queued.
    let _log = crate::logging::init();
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
    // Every command but classify and train opens the database (check inspects it): a missing
    // folder is named with where the path came from, before anything else happens.
    if !matches!(command, Command::Classify { .. } | Command::Train { .. }) {
        let origin = match (&cli.database, config.database_line) {
            (Some(_), _) => "--database / WIREFEED_DATABASE".to_owned(),
            (None, Some(line)) => format!("{}:{line}: storage.database", cli.config.display()),
            (None, None) => format!(
                "{}: storage.database (not set: data/wirefeed.db)",
                cli.config.display()
            ),
        };
        let folder = database
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !folder.is_dir() {
            return Err(CliError::usage(format!(
                "{origin}: {}: folder does not exist ({}); create it, or point the database elsewhere",
                folder.display(),
                database.display()
            )));
        }
    }
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
            let places = crate::places::Places::shipped();
            let mut near_misses = Vec::new();
            let changed = store.reclassify(|a| {
                let (topics, close) = classifier.review(&a.content);
                for s in close {
                    near_misses.push(format!("{} {}: {}", a.id, s.topic, s.reason));
                }
                (topics, places.places(&a.content))
            })?;
            say!("reclassified: {changed} articles changed topics or places");
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
        Command::Check { verify_media } => check(&config, &cli.config, &database, verify_media),
        Command::Keys { action } => keys(&config, &database, action),
        Command::Websub { action } => websub(&config, &database, action),
        Command::Alerts { action } => alerts(&config, &database, action),
        Command::Kill { id, reason } => kill(&config, &database, &id, reason),
        Command::Backup { path } => {
            let done = store::backup(&database, &path)?;
            say!(
                "backed up {} articles to {} ({} bytes)",
                done.articles,
                path.display(),
                done.bytes
            );
            // The pictures the copy names, beside it as its own media folder: files are never
            // changed or removed once written, so every file the copy names exists now.
            let copy = store::Store::open(&path, false)?;
            let to = config.media.dir_for(&path);
            let (files, bytes) = backup_media(
                &crate::media::Blobs::new(config.media.dir_for(&database)),
                &crate::media::Blobs::new(to.clone()),
                &copy.media_files()?,
            )
            .map_err(|e| CliError::usage(format!("{}: {e}", to.display())))?;
            say!(
                "backed up {files} picture files to {} ({bytes} bytes)",
                to.display()
            );
            Ok(0)
        }
    }
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
    store.set_related(config.feeds.related)?;
    if store.set_urgent_max(config.feeds.urgent_max)? {
        tracing::info!(
            urgent_max = config.feeds.urgent_max,
            "urgent feed recomputed for feeds.urgent_max"
        );
    }
    if changed > 0 {
        tracing::info!(
            articles = changed,
            "subscriber-only articles recomputed for the config's restricted feeds"
        );
    }
    Ok(store)
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

/// Copies (hard-links where the file system allows) each named file into the backup's folder.
fn backup_media(
    from: &crate::media::Blobs,
    to: &crate::media::Blobs,
    named: &[(String, String)],
) -> std::io::Result<(u64, u64)> {
    let mut seen = std::collections::BTreeSet::new();
    let (mut files, mut bytes) = (0, 0);
    for (sha, _) in named {
        if !seen.insert(sha) {
            continue;
        }
        let (src, dst) = (from.path(sha), to.path(sha));
        std::fs::create_dir_all(dst.parent().expect("a blob path has a folder"))?;
        if std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst)?;
        }
        files += 1;
        bytes += std::fs::metadata(&dst)?.len();
    }
    Ok((files, bytes))
}

/// The media folder against the database: files a picture names must be there (and, with
/// `verify`, hash to their names); files nothing names are reported (an upload interrupted
/// between its files and its row leaves them; they are safe to delete).
fn check_media(config: &Config, database: &Path, verify: bool) -> Result<Vec<String>, CliError> {
    let store = store::Store::open(database, false)?;
    let blobs = crate::media::Blobs::new(config.media.dir_for(database));
    let named = store.media_files()?;
    let on_disk: std::collections::BTreeSet<String> = blobs
        .list()
        .map_err(|e| CliError::usage(format!("{}: {e}", blobs.dir().display())))?
        .into_iter()
        .collect();
    let mut problems = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (sha, picture) in &named {
        names.insert(sha.clone());
        let path = blobs.path(sha);
        if !on_disk.contains(sha) {
            problems.push(format!(
                "{}: missing (a file of picture {picture:?})",
                path.display()
            ));
        } else if verify && !blobs.verify(sha).unwrap_or(false) {
            problems.push(format!(
                "{}: its bytes do not match its SHA-256 name (picture {picture:?})",
                path.display()
            ));
        }
    }
    for orphan in on_disk.difference(&names) {
        say!(
            "{}: named by no picture (an interrupted upload); safe to delete",
            blobs.path(orphan).display()
        );
    }
    if problems.is_empty() {
        say!(
            "{}: ok ({} files{})",
            blobs.dir().display(),
            names.len(),
            if verify { ", bytes verified" } else { "" }
        );
    }
    Ok(problems)
}

/// The gazetteer an editor edits beside the config (`data/gazetteer.toml`, compiled into the
/// next build): every duplicate state code and broken pattern, with its line.
fn check_gazetteer(config_path: &Path) -> Result<(), CliError> {
    let path = config_path
        .parent()
        .unwrap_or(Path::new("."))
        .join("data/gazetteer.toml");
    let Ok(src) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let problems = crate::classify::gazetteer::check(&src);
    if problems.is_empty() {
        say!("{}: ok", path.display());
        return Ok(());
    }
    Err(CliError::usage(
        problems
            .iter()
            .map(|p| format!("{}:{}: {}", path.display(), p.line, p.message))
            .collect::<Vec<_>>()
            .join("\n"),
    ))
}

fn check(
    config: &Config,
    config_path: &Path,
    database: &Path,
    verify_media: bool,
) -> Result<u8, CliError> {
    // The config has already loaded without problems if we got here.
    say!(
        "{}: ok ({} topics, {} feeds)",
        config_path.display(),
        config.topics.len(),
        config.feed_list.len()
    );
    check_gazetteer(config_path)?;
    let mail = crate::alerts::check_mail(config);
    if !mail.is_empty() {
        return Err(CliError::usage(
            mail.iter()
                .map(|p| format!("{}: {p}", config_path.display()))
                .collect::<Vec<_>>()
                .join("\n"),
        ));
    }
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
            let media = check_media(config, database, verify_media)?;
            if media.is_empty() {
                Ok(0)
            } else {
                Err(CliError::usage(media.join("\n")))
            }
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
