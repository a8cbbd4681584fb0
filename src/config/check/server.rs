//! The sections that say where the server runs: `[server]` and `[storage]`. What would make
//! `serve` fail at start is refused here, with its line.

use super::Checker;
use crate::config::raw::RawServer;
use crate::config::{ForwardedHeader, IpNet};
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

    /// `server.trusted_proxies` (networks) and `server.forwarded_header` (which header those
    /// proxies write).
    pub(super) fn proxies(&mut self, server: &RawServer) -> (Vec<IpNet>, ForwardedHeader) {
        let trusted_proxies = server
            .trusted_proxies
            .iter()
            .flatten()
            .filter_map(|p| match IpNet::parse(p.get_ref()) {
                Ok(n) => Some(n),
                Err(m) => {
                    self.at(p, format!("server.trusted_proxies: {m}"));
                    None
                }
            })
            .collect();
        let forwarded_header = match server.forwarded_header.as_ref() {
            None => ForwardedHeader::XForwardedFor,
            Some(h) => match h.get_ref().to_ascii_lowercase().as_str() {
                "x-forwarded-for" => ForwardedHeader::XForwardedFor,
                "forwarded" => ForwardedHeader::Forwarded,
                other => {
                    self.at(
                            h,
                            format!(
                                "server.forwarded_header must be \"x-forwarded-for\" or \"forwarded\", got {other:?}"
                            ),
                        );
                    ForwardedHeader::XForwardedFor
                }
            },
        };
        (trusted_proxies, forwarded_header)
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
