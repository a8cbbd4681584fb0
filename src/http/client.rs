//! Which client a request comes from: its peer, or, when the peer is a trusted proxy
//! (`[server] trusted_proxies`), the right-most address in the header those proxies write
//! (`[server] forwarded_header`: `X-Forwarded-For` by default, or `Forwarded`, RFC 7239) that
//! is not itself a trusted proxy — what nginx's `real_ip_recursive` does. Only that one header
//! is read (a client could send the other through a proxy that does not write it), and headers
//! from any other peer are ignored: a client cannot choose its own address.

use crate::config::{ForwardedHeader, IpNet};
use actix_web::http::header::HeaderMap;
use std::net::IpAddr;

/// The client's address, if the connection has one.
pub(super) fn client_ip(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ForwardedHeader,
) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if trusted.is_empty() || !is_trusted(peer) {
        return Some(peer);
    }
    let hops = forwarded_for(headers, header);
    // Right to left: each hop was added by the one after it; stop at the first we do not trust.
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) => {
                client = *ip;
                if !is_trusted(*ip) {
                    break;
                }
            }
            // An obfuscated or unreadable hop: nothing to its left can be believed.
            None => break,
        }
    }
    Some(client)
}

/// The addresses of the chosen header, in order (several header lines are one list): the
/// `for=` of each `Forwarded` element, or each `X-Forwarded-For` entry; `None` for an entry
/// that is not an address.
fn forwarded_for(headers: &HeaderMap, header: ForwardedHeader) -> Vec<Option<IpAddr>> {
    match header {
        ForwardedHeader::Forwarded => headers
            .get_all("forwarded")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| parse_node(v.trim().trim_matches('"')))
                })
            })
            .collect(),
        ForwardedHeader::XForwardedFor => headers
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| parse_node(s.trim()))
            .collect(),
    }
}

/// `192.0.2.1`, `192.0.2.1:443`, `[2001:db8::1]`, `[2001:db8::1]:443`, `2001:db8::1`.
fn parse_node(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    s.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    const X: ForwardedHeader = ForwardedHeader::XForwardedFor;
    const F: ForwardedHeader = ForwardedHeader::Forwarded;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_peer_is_believed_and_the_right_most_untrusted_hop_wins() {
        let trusted = [
            IpNet::parse("127.0.0.1").unwrap(),
            IpNet::parse("10.0.0.0/8").unwrap(),
        ];
        let xff = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.1.1.1")]);
        // From the proxy: the client is the right-most hop we do not trust.
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &xff, &trusted, X),
            Some(ip("203.0.113.7"))
        );
        // From anyone else: the header is ignored.
        assert_eq!(
            client_ip(Some(ip("198.51.100.2")), &xff, &trusted, X),
            Some(ip("198.51.100.2"))
        );
        // No trusted proxies configured: never believed.
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &xff, &[], X),
            Some(ip("127.0.0.1"))
        );
        // Only the configured header is read, ports and brackets understood: a Forwarded a
        // client sent through a proxy that writes X-Forwarded-For is ignored, and the reverse.
        let fwd = headers(&[
            (
                "forwarded",
                "for=192.0.2.60;proto=http, for=\"[2001:db8::17]:4711\"",
            ),
            ("x-forwarded-for", "6.6.6.6"),
        ]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.5")), &fwd, &trusted, F),
            Some(ip("2001:db8::17"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.5")), &fwd, &trusted, X),
            Some(ip("6.6.6.6"))
        );
        let spoof = headers(&[
            ("forwarded", "for=1.2.3.4"),
            ("x-forwarded-for", "203.0.113.5"),
        ]);
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &spoof, &trusted, X),
            Some(ip("203.0.113.5")),
            "a client's own Forwarded through Varnish changes nothing"
        );
        // An unreadable hop stops the walk at the last believable one.
        let obf = headers(&[("forwarded", "for=_hidden, for=10.0.0.9")]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.5")), &obf, &trusted, F),
            Some(ip("10.0.0.9"))
        );
        // Several header lines are one list.
        let two = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-for", "10.0.0.2"),
        ]);
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &two, &trusted, X),
            Some(ip("203.0.113.9"))
        );
    }
}
