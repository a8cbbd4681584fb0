//! The hub's outgoing HTTP: one client for verification and delivery that never follows
//! redirects, never uses a proxy, times out, reads at most a few KB of any answer, and calls
//! only public addresses (the policy is [`super::address`]). Names are checked at connect time:
//! the client's resolver drops every refused address, so a name that changes its address later
//! is still caught. A literal address never reaches a resolver, so [`check_host`] checks it
//! when the subscription is requested and again before every request.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

pub use super::address::is_forbidden;
use super::address::refusal;

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
    if url.host().is_none() {
        return Err("hub.callback must have a host".into());
    }
    check_host(url, allow_private).map_err(|why| {
        format!("hub.callback is not a public address, which this hub does not call: {why}")
    })
}

/// Refuses a URL whose host is a literal address the hub must not call, or a name for
/// loopback (unless private callbacks are allowed). The client's resolver checks every other
/// name when it connects, but never sees a literal address: call this before each request.
pub fn check_host(url: &reqwest::Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        None => return Err("no host".into()),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") {
                return Err(format!("{d} is loopback"));
            }
            return Ok(());
        }
        Some(url::Host::Ipv4(a)) => IpAddr::V4(a),
        Some(url::Host::Ipv6(a)) => IpAddr::V6(a),
    };
    match refusal(ip) {
        Some(r) => Err(r.to_string()),
        None => Ok(()),
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

    /// Literal addresses (every spelling the URL parser turns into one) never reach the
    /// resolver: refused when requested and again before each request; allowed when private
    /// callbacks are.
    #[test]
    fn literal_callbacks_on_special_addresses_are_refused() {
        for u in [
            "http://10.0.0.1/cb",
            "http://127.1/cb",
            "http://0x7f.0.0.1/cb",
            "http://2130706433/cb",
            "http://192.0.0.1/cb",
            "http://198.18.0.1/cb",
            "http://[::ffff:127.0.0.1]/cb",
            "http://[::ffff:7f00:1]/cb",
            "http://[::127.0.0.1]/cb",
            "http://[::ffff:0:7f00:1]/cb",
            "http://[64:ff9b::a9fe:a9fe]/cb",
            "http://[64:ff9b:1::a00:1]/cb",
            "http://[2002:7f00:1::1]/cb",
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/cb",
            "http://[fec0::1]/cb",
            "http://[5f00::1]/cb",
            "http://localhost./cb",
            "http://a.LocalHost/cb",
        ] {
            let url = reqwest::Url::parse(u).unwrap();
            let e = check_callback(&url, false).unwrap_err();
            assert!(e.contains("not a public address"), "{u}: {e}");
            assert!(check_host(&url, false).is_err(), "{u}");
            assert!(check_callback(&url, true).is_ok(), "{u}");
            assert!(check_host(&url, true).is_ok(), "{u}");
        }
        for u in [
            "http://93.184.216.34/cb",
            "https://[2606:2800:220:1::1]:8443/cb",
            "https://example.org/cb",
        ] {
            let url = reqwest::Url::parse(u).unwrap();
            assert_eq!(check_callback(&url, false), Ok(()), "{u}");
            assert_eq!(check_host(&url, false), Ok(()), "{u}");
        }
    }

    #[test]
    fn a_literal_special_callback_is_a_field_error_on_hub_callback() {
        for cb in [
            "http%3A%2F%2F10.0.0.1%2Fcb",
            "http%3A%2F%2F%5B%3A%3Affff%3A127.0.0.1%5D%2Fcb",
        ] {
            let body = format!("hub.mode=subscribe&hub.topic=t&hub.callback={cb}");
            let e = super::super::Request::parse(body.as_bytes(), false).unwrap_err();
            assert_eq!(e.len(), 1, "{e:?}");
            assert_eq!(e[0].field, "hub.callback");
            assert!(super::super::Request::parse(body.as_bytes(), true).is_ok());
        }
        let e = super::super::Request::parse(
            b"hub.mode=subscribe&hub.topic=t&hub.callback=http%3A%2F%2F%5B%3A%3Affff%3A127.0.0.1%5D%2Fcb",
            false,
        )
        .unwrap_err();
        assert_eq!(
            e[0].message,
            "hub.callback is not a public address, which this hub does not call: ::ffff:127.0.0.1 \
             carries 127.0.0.1 (IPv4-mapped), which is in 127.0.0.0/8: Loopback (RFC 1122 §3.2.1.3)"
        );
    }
}
