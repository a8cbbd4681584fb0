//! `wirefeed serve`: seed an empty database, start the HTTP server and its background work.

use super::{CliError, import, open_store};
use crate::config::Config;
use std::io::Write;
use std::path::Path;

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
    let app =
        crate::app::App::start(config, store).map_err(|e| CliError::runtime(e.to_string()))?;
    let served = app.clone();
    // The same listening socket, to close it ourselves at the stop (see below).
    let closing = listener
        .try_clone()
        .map_err(|e| CliError::runtime(e.to_string()))?;
    actix_web::rt::System::new().block_on(async move {
        let server = crate::http::server(listener, served.clone())
            .map_err(|e| CliError::runtime(e.to_string()))?;
        say!("listening on http://{local}");
        let _ = std::io::stdout().flush();
        tracing::info!(%local, "serving");
        let handle = server.handle();
        let stop = actix_web::rt::spawn(async move {
            let signal = stop_signal().await;
            tracing::info!(signal, "shutting down: finishing requests in flight");
            served.begin_shutdown();
            // Closing the listening socket itself makes every later connection attempt a
            // refused connection; otherwise the kernel keeps completing handshakes into a
            // backlog nobody accepts from during the grace period, and resets them all at the
            // end: requests that get neither an answer nor a refusal. (Only connections already
            // waiting in the backlog at this instant are reset.)
            let socket = socket2::SockRef::from(&closing);
            // First no new handshakes: a socket filter that drops every packet the listening
            // socket would take (the client retries its SYN a second later), while the server
            // still accepts the connections already queued…
            if let Err(e) = socket.attach_filter(&[DROP_ALL]) {
                tracing::warn!(error = %e, "cannot stop new handshakes before closing");
            }
            actix_web::rt::time::sleep(BACKLOG_DRAIN).await;
            // …then the socket closes: the retried SYNs are refused.
            if let Err(e) = socket.shutdown(std::net::Shutdown::Both) {
                tracing::warn!(error = %e, "cannot close the listening socket; stopping anyway");
            }
            // Requests in flight get http::IN_FLIGHT_GRACE to finish.
            handle.stop(true).await;
        });
        let result = server.await.map_err(|e| CliError::runtime(e.to_string()));
        stop.abort();
        result
    })?;
    // The HTTP side has stopped: now the background work, then the database.
    app.stop();
    tracing::info!("stopped");
    Ok(0)
}

/// A classic BPF program of one instruction, `ret #0`: take nothing (BPF_RET | BPF_K).
const DROP_ALL: socket2::SockFilter = socket2::SockFilter::new(0x06, 0, 0, 0);

/// How long the server keeps accepting connections already queued once it stops taking new
/// ones, before the listening socket closes.
const BACKLOG_DRAIN: std::time::Duration = std::time::Duration::from_millis(200);

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
