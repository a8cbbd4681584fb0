//! `wirefeed alerts list` and `wirefeed alerts remove EMAIL`: email alert subscriptions, as
//! the database holds them.

use super::{CliError, open_store};
use crate::config::Config;
use std::path::Path;

/// `wirefeed alerts …`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum AlertsAction {
    /// List subscriptions (address, state, filter, frequency, messages sent and failed).
    List {
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Erase an address: every subscription it has, their messages and links.
    Remove {
        /// The address.
        email: String,
    },
}

pub(crate) fn alerts(
    config: &Config,
    database: &Path,
    action: AlertsAction,
) -> Result<u8, CliError> {
    let store = open_store(config, database, false)?;
    match action {
        AlertsAction::List { json } => {
            let rows = crate::alerts::list(&store)?;
            if !json {
                say!(
                    "EMAIL\tSTATE\tFREQUENCY\tTOPICS\tCOUNTRIES\tLANGUAGE\tSENT\tQUEUED\tFAILED\tFAILURES"
                );
            }
            for r in rows {
                if json {
                    say!(
                        "{}",
                        serde_json::to_string(&r).expect("a listing serialises")
                    );
                } else {
                    let list = |v: &[String]| {
                        if v.is_empty() {
                            "-".to_owned()
                        } else {
                            v.join(",")
                        }
                    };
                    say!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        r.email,
                        r.state,
                        r.frequency,
                        list(&r.topics),
                        list(&r.countries),
                        r.language.as_deref().unwrap_or("-"),
                        r.sent,
                        r.queued,
                        r.failed,
                        r.failures
                    );
                }
            }
            Ok(0)
        }
        AlertsAction::Remove { email } => {
            let n = crate::alerts::remove(&store, &email)?;
            if n == 0 {
                return Err(CliError::runtime(
                    "no alert subscription has that address".to_owned(),
                ));
            }
            say!("removed {n} subscription(s) and their history");
            Ok(0)
        }
    }
}
