//! The sections that say where the server runs: `[server]` and `[storage]`. What would make
//! `serve` fail at start is refused here, with its line.

use super::Checker;
use std::path::{Path, PathBuf};
use toml::Spanned;

impl Checker {
    /// `server.bind`, if it is something a listener can bind.
    pub(super) fn bind(&mut self, bind: Option<&Spanned<String>>) -> Option<String> {
        bind.and_then(|b| match check_bind(b.get_ref()) {
            Ok(()) => Some(b.get_ref().clone()),
            Err(m) => {
                self.at(b, m);
                None
            }
        })
    }

    /// `storage.seed_dir` resolved against `base`, if it is a folder.
    pub(super) fn seed_dir(
        &mut self,
        seed: Option<Spanned<String>>,
        base: &Path,
    ) -> Option<PathBuf> {
        seed.and_then(|s| {
            let dir = base.join(s.get_ref());
            if dir.is_dir() {
                Some(dir)
            } else {
                let why = if dir.exists() {
                    "is not a folder"
                } else {
                    "does not exist"
                };
                self.at(
                    &s,
                    format!(
                        "storage.seed_dir: {} {why} (leave seed_dir out to start empty)",
                        dir.display()
                    ),
                );
                None
            }
        })
    }
}

/// `server.bind` must be what a listener can bind: `host:port`, the host an IP address (IPv6
/// in brackets) or a name that resolves.
fn check_bind(bind: &str) -> Result<(), String> {
    use std::net::{SocketAddr, ToSocketAddrs};
    if bind.parse::<SocketAddr>().is_ok() {
        return Ok(());
    }
    let shape = || {
        format!(
            "server.bind must be host:port, for example \"127.0.0.1:8080\" or \"[::]:8080\", got {bind:?}"
        )
    };
    let (host, port) = bind.rsplit_once(':').ok_or_else(shape)?;
    if host.is_empty() || port.parse::<u16>().is_err() {
        return Err(shape());
    }
    if bind.to_socket_addrs().is_ok_and(|mut a| a.next().is_some()) {
        Ok(())
    } else {
        Err(format!(
            "server.bind: the host {host:?} does not resolve to an address"
        ))
    }
}
