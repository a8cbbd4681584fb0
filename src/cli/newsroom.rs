//! The newsroom's commands: API keys (`keys add|list|revoke`) and `kill`.

use super::{CliError, KeysAction, open_store};
use crate::config::Config;
use crate::store::{self, Store};
use std::path::Path;
use std::sync::Arc;

pub(super) fn keys(config: &Config, database: &Path, action: KeysAction) -> Result<u8, CliError> {
    use crate::auth::{Role, Token};
    let store = Store::open(database, true)?;
    let now = chrono::Utc::now();
    match action {
        KeysAction::Add {
            name,
            role,
            feeds,
            countries,
            expires,
            rate,
        } => {
            let role = Role::parse(&role).expect("clap checked the role");
            if name.trim().is_empty() || name.len() > 128 || name.chars().any(char::is_control) {
                return Err(CliError::usage(
                    "NAME must be 1 to 128 printable characters",
                ));
            }
            for f in &feeds {
                match config.feed(f) {
                    None => {
                        return Err(CliError::usage(format!(
                            "--feed {f:?}: there is no such feed in feeds.toml"
                        )));
                    }
                    Some(_) if role == Role::Publisher => {
                        return Err(CliError::usage(
                            "--feed scopes subscriber keys; a publisher key reaches every feed",
                        ));
                    }
                    Some(_) => {}
                }
            }
            let mut codes: Vec<String> = Vec::new();
            for c in &countries {
                codes.extend(
                    crate::urls::parse_countries(c)
                        .map_err(|e| CliError::usage(format!("--country {c:?}: {e}")))?,
                );
            }
            codes.sort();
            codes.dedup();
            if !codes.is_empty() && (role == Role::Publisher || feeds.is_empty()) {
                return Err(CliError::usage(
                    "--country narrows the feeds a subscriber key lists: give --role subscriber and --feed",
                ));
            }
            let expires_at = match expires {
                Some(e) => {
                    let d = crate::config::parse_duration(&e)
                        .filter(|d| !d.is_zero())
                        .ok_or_else(|| {
                            CliError::usage(format!(
                                "--expires {e:?}: use a duration such as 90d or 12h"
                            ))
                        })?;
                    Some(
                        now.timestamp()
                            .saturating_add(d.as_secs().min(i64::MAX as u64) as i64),
                    )
                }
                None => None,
            };
            let token = Token::generate(role);
            let added = store.add_key(
                &store::NewKey {
                    name: &name,
                    role: role.as_str(),
                    feeds: &feeds,
                    countries: &codes,
                    token_hash: &token.hash(),
                    rate_per_minute: rate,
                    expires_at,
                },
                now,
            )?;
            if !added {
                return Err(CliError::usage(format!(
                    "a key named {name:?} exists; choose another name or revoke it"
                )));
            }
            say!("{}", token.expose());
            Ok(0)
        }
        KeysAction::List { json } => {
            let keys = store.keys()?;
            if json {
                for k in &keys {
                    say!("{}", serde_json::to_string(k).expect("keys serialise"));
                }
            } else {
                say!(
                    "NAME\tROLE\tFEEDS\tCREATED\tEXPIRES\tREVOKED\tLAST SEEN\tREQUESTS\t304\tCOUNTRIES"
                );
                let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                for k in &keys {
                    say!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        k.name,
                        k.role,
                        if k.feeds.is_empty() {
                            "-".into()
                        } else {
                            k.feeds.join(",")
                        },
                        k.created_at,
                        dash(&k.expires_at),
                        dash(&k.revoked_at),
                        dash(&k.last_seen_at),
                        k.requests,
                        k.not_modified,
                        if k.countries.is_empty() {
                            "-".into()
                        } else {
                            k.countries.join(",")
                        }
                    );
                }
            }
            Ok(0)
        }
        KeysAction::Revoke { name } => {
            if store.revoke_key(&name, now)? {
                say!("revoked {name}");
                Ok(0)
            } else {
                Err(CliError::runtime(format!("there is no key named {name:?}")))
            }
        }
    }
}

pub(super) fn kill(
    config: &Config,
    database: &Path,
    id: &str,
    reason: Option<String>,
) -> Result<u8, CliError> {
    let store = Arc::new(open_store(config, database, false)?);
    let newsroom = crate::publish::Newsroom::new(Arc::new(config.clone()), store)?;
    let applied = futures_lite_block_on(newsroom.kill(id, reason, None)).map_err(|e| match e {
        crate::publish::PublishError::NotFound(m) => CliError::runtime(m),
        e => CliError::runtime(e.to_string()),
    })?;
    say!(
        "killed {} (version {}, {})",
        applied.article.id,
        applied.article.version,
        crate::model::rfc3339(
            applied
                .article
                .canceled_at
                .unwrap_or(applied.article.updated_at)
        )
    );
    Ok(0)
}

/// Runs one future to completion on a small runtime (the CLI has no server running).
fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
    actix_web::rt::System::new().block_on(f)
}
