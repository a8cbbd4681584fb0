//! `wirefeed websub list`: the hub's subscriptions, as the database holds them.

use super::{CliError, open_store};
use crate::config::Config;
use chrono::{DateTime, Utc};
use std::path::Path;

/// `wirefeed websub …`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum WebSubAction {
    /// List subscriptions (never their secrets; tokens in topics are hidden).
    List {
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn rfc3339(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn websub(
    config: &Config,
    database: &Path,
    action: WebSubAction,
) -> Result<u8, CliError> {
    let store = open_store(config, database, false)?;
    let now = Utc::now().timestamp();
    let WebSubAction::List { json } = action;
    let subs = store.websub_subscriptions()?;
    if !json {
        say!("TOPIC\tCALLBACK\tSTATE\tLEASE EXPIRES\tLAST DELIVERY\tLAST STATUS\tFAILURES");
    }
    for l in &subs {
        let s = &l.subscription;
        let state = match l.pending_attempts {
            _ if s.expires_at <= now => "expired",
            Some(0) => "delivering",
            Some(_) => "retrying",
            None => "active",
        };
        let row = serde_json::json!({
            "topic": crate::websub::redact(&s.topic),
            "callback": crate::websub::redact(&s.callback),
            "state": state,
            "lease_expires_at": rfc3339(s.expires_at),
            "last_delivery_at": l.last_delivery_at.map(rfc3339),
            "last_status": l.last_status,
            "failures": l.failures,
            "signed": s.secret.is_some(),
        });
        if json {
            say!("{row}");
        } else {
            let dash = |v: &serde_json::Value| match v {
                serde_json::Value::Null => "-".to_owned(),
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            say!(
                "{}\t{}\t{state}\t{}\t{}\t{}\t{}",
                dash(&row["topic"]),
                crate::websub::redact(&s.callback),
                dash(&row["lease_expires_at"]),
                dash(&row["last_delivery_at"]),
                dash(&row["last_status"]),
                l.failures
            );
        }
    }
    Ok(0)
}
