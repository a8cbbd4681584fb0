//! `wirefeed serve`: seed an empty database, start the HTTP server and its background work.

use super::{CliError, import, open_store};
use crate::config::Config;
use crate::feeds::Feeds;
use crate::store::Store;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

pub(super) fn serve(config: Config, database: &Path, bind: Option<String>) -> Result<u8, CliError> {
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
    let feeds = Arc::new(Feeds::new(config, store.clone()));
    feeds.watch();
    let hub = crate::websub::Hub::start(feeds.clone())
        .map_err(|e| CliError::runtime(format!("cannot start the WebSub hub: {e}")))?;
    crate::cdn::start(feeds.clone())
        .map_err(|e| CliError::runtime(format!("cannot start the cache purger: {e}")))?;
    let (f, h, u) = (feeds.clone(), hub.clone(), usage.clone());
    actix_web::rt::System::new().block_on(async move {
        let server = crate::http::server(listener, f, newsroom, u, h)
            .map_err(|e| CliError::runtime(e.to_string()))?;
        say!("listening on http://{local}");
        let _ = std::io::stdout().flush();
        tracing::info!(%local, "serving");
        let handle = server.handle();
        let stop = actix_web::rt::spawn(async move {
            let signal = stop_signal().await;
            tracing::info!(signal, "shutting down: finishing requests in flight");
            feeds.begin_shutdown();
            // Stops accepting at once; requests in flight get http::IN_FLIGHT_GRACE to finish.
            handle.stop(true).await;
        });
        let served = server.await.map_err(|e| CliError::runtime(e.to_string()));
        stop.abort();
        served
    })?;
    // The HTTP side has stopped: now the background work, then the database.
    let cut = hub.stop(HUB_GRACE);
    if cut > 0 {
        tracing::warn!(
            cut,
            "websub: deliveries cut short by the shutdown; their claims lapse and they are sent again"
        );
    }
    if let Err(e) = usage.flush(&store) {
        tracing::warn!(error = %e, "cannot write the last key usage");
    }
    store.close();
    tracing::info!("stopped");
    Ok(0)
}

/// How long WebSub deliveries in flight get once the HTTP side has stopped (after at most
/// [`crate::http::IN_FLIGHT_GRACE`]): together well within the 10 s a supervisor waits.
const HUB_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Waits for SIGTERM (a supervisor's stop) or SIGINT (Ctrl-C); both mean a graceful stop.
async fn stop_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot listen for SIGTERM/SIGINT; stop the server by killing it");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    }
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
