//! The hub's outgoing HTTP: one client for verification and delivery that never follows
//! redirects, never uses a proxy, times out, reads at most a few KB of any answer, and calls
//! only public addresses (the policy is [`super::address`]). Names are checked at connect time:
//! the client's resolver drops every refused address, so a name that changes its address later
//! is still caught.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

pub use super::address::is_forbidden;

/// The most of a callback's answer the hub reads (a verification echo is 64 bytes).
pub const MAX_ANSWER: usize = 4096;

/// Resolves names and keeps only addresses a callback may use.
struct SafeResolver;

impl reqwest::dns::Resolve for SafeResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !is_forbidden(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!(
                    "{host} resolves only to special-purpose addresses, which this hub does not call"
                )
                .into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The client for callbacks.
pub fn build(timeout: Duration, allow_private: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout)
        .pool_max_idle_per_host(4)
        .user_agent(concat!(
            "wirefeed-websub/",
            env!("CARGO_PKG_VERSION"),
            " (WebSub hub)"
        ));
    if !allow_private {
        b = b.dns_resolver(Arc::new(SafeResolver));
    }
    b.build()
        .expect("the HTTP client builds with static settings")
}

/// Checks a callback URL before any request: http(s), a host, and (unless private callbacks
/// are allowed) not a literal forbidden address — a resolver never sees those.
pub fn check_callback(url: &reqwest::Url, allow_private: bool) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err("hub.callback must be an http or https URL".into());
    }
    if url.fragment().is_some() {
        return Err("hub.callback must not have a fragment".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("hub.callback must not carry credentials".into());
    }
    let host = url
        .host()
        .ok_or_else(|| "hub.callback must have a host".to_owned())?;
    if allow_private {
        return Ok(());
    }
    let ip = match host {
        url::Host::Ipv4(a) => Some(IpAddr::V4(a)),
        url::Host::Ipv6(a) => Some(IpAddr::V6(a)),
        url::Host::Domain(d)
            if d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost") =>
        {
            return Err("hub.callback is on loopback, which this hub does not call".into());
        }
        url::Host::Domain(_) => None,
    };
    match ip {
        Some(ip) if is_forbidden(ip) => Err(format!(
            "hub.callback {ip} is a loopback, private, link-local or multicast address, which this hub does not call"
        )),
        _ => Ok(()),
    }
}

/// Reads at most [`MAX_ANSWER`] bytes of an answer's body (the rest is discarded).
pub async fn read_capped(mut resp: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = MAX_ANSWER - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ANSWER {
            break;
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_forbidden_public_ones_not() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fc00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_forbidden(bad.parse().unwrap()), "{bad}");
        }
        for good in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_forbidden(good.parse().unwrap()), "{good}");
        }
    }

    #[test]
    fn callbacks_are_checked_before_any_request() {
        let check = |u: &str| check_callback(&reqwest::Url::parse(u).unwrap(), false);
        assert!(check("https://example.org/cb?x=1").is_ok());
        assert!(check("http://127.0.0.1:9/cb").is_err());
        assert!(check("http://[::1]/cb").is_err());
        assert!(check("http://localhost/cb").is_err());
        assert!(check("ftp://example.org/cb").is_err());
        assert!(check("https://u:p@example.org/cb").is_err());
        assert!(check_callback(&reqwest::Url::parse("http://127.0.0.1/cb").unwrap(), true).is_ok());
    }
}
