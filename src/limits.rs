//! Rate limits (docs/api.md, Subscribers and keys, `[limits]`): a token bucket (GCRA, the `governor` crate) per key,
//! and per client IP for requests without one. No I/O; a check is a map lookup and an atomic
//! compare-and-swap, so the hot path stays hot.

use crate::auth::Key;
use crate::config::LimitSettings;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};

type Direct = RateLimiter<NotKeyed, InMemoryState, DefaultClock, StateInformationMiddleware>;
type ByIp =
    RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

/// What a check says, with the numbers for the `X-RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the request may go on.
    pub allowed: bool,
    /// Requests per minute.
    pub limit: u32,
    /// Requests that may still be made at once.
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset: u64,
    /// When refused: seconds to wait (`Retry-After`).
    pub retry_after: u64,
}

/// The buckets of one server process.
pub struct Limits {
    settings: LimitSettings,
    anonymous: Option<ByIp>,
    keys: RwLock<HashMap<String, Arc<Direct>>>,
    clock: DefaultClock,
}

fn quota(per_minute: u32, burst: u32) -> Option<Quota> {
    let rate = NonZeroU32::new(per_minute)?;
    let burst = NonZeroU32::new(burst.max(1)).expect("at least one");
    Some(Quota::per_minute(rate).allow_burst(burst))
}

impl Limits {
    /// Buckets for `settings` (a rate of 0 turns that limit off).
    pub fn new(settings: &LimitSettings) -> Limits {
        Limits {
            anonymous: quota(settings.anonymous_per_minute, settings.burst)
                .map(|q| RateLimiter::keyed(q).with_middleware::<StateInformationMiddleware>()),
            settings: settings.clone(),
            keys: RwLock::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    fn verdict(
        &self,
        per_minute: u32,
        burst: u32,
        r: Result<
            governor::middleware::StateSnapshot,
            governor::NotUntil<<DefaultClock as Clock>::Instant>,
        >,
    ) -> Verdict {
        let per_request = 60.0 / f64::from(per_minute.max(1));
        match r {
            Ok(s) => {
                let remaining = s.remaining_burst_capacity();
                Verdict {
                    allowed: true,
                    limit: per_minute,
                    remaining,
                    reset: (f64::from(burst.saturating_sub(remaining)) * per_request).ceil() as u64,
                    retry_after: 0,
                }
            }
            Err(not_until) => {
                let wait = not_until
                    .wait_time_from(self.clock.now())
                    .as_secs_f64()
                    .ceil() as u64;
                Verdict {
                    allowed: false,
                    limit: per_minute,
                    remaining: 0,
                    reset: (f64::from(burst) * per_request).ceil() as u64,
                    retry_after: wait.max(1),
                }
            }
        }
    }

    /// A request made with `key`.
    pub fn check_key(&self, key: &Key) -> Option<Verdict> {
        let per_minute = key.rate_per_minute.unwrap_or(self.settings.key_per_minute);
        let burst = self.settings.burst;
        let q = quota(per_minute, burst)?;
        let bucket = {
            let map = self.keys.read().expect("limits lock");
            map.get(&key.name).cloned()
        };
        let bucket = match bucket {
            Some(b) => b,
            None => self
                .keys
                .write()
                .expect("limits lock")
                .entry(key.name.clone())
                .or_insert_with(|| {
                    Arc::new(RateLimiter::direct(q).with_middleware::<StateInformationMiddleware>())
                })
                .clone(),
        };
        Some(self.verdict(per_minute, burst, bucket.check()))
    }

    /// A request without a key (or with a key that failed), from `ip`.
    pub fn check_ip(&self, ip: IpAddr) -> Option<Verdict> {
        let limiter = self.anonymous.as_ref()?;
        let v = self.verdict(
            self.settings.anonymous_per_minute,
            self.settings.burst,
            limiter.check_key(&client_of(ip)),
        );
        // Forget idle clients now and then, so memory stays bounded under many addresses.
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        Some(v)
    }
}

/// The bucket an address counts against: an IPv6 client owns a whole /64 (one host can use
/// any address in it), so every address in a /64 shares one; an IPv4 address is its own.
pub fn client_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(std::net::Ipv6Addr::from(bits))
            }
        },
    }
}

#[cfg(test)]
mod client_tests {
    use super::client_of;

    #[test]
    fn an_ipv6_slash_64_is_one_client_and_ipv4_addresses_are_their_own() {
        let a = client_of("2001:db8:1:2::1".parse().unwrap());
        let b = client_of("2001:db8:1:2:ffff:ffff:ffff:ffff".parse().unwrap());
        let c = client_of("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            client_of("::ffff:192.0.2.1".parse().unwrap()),
            client_of("192.0.2.1".parse().unwrap())
        );
        assert_ne!(
            client_of("192.0.2.1".parse().unwrap()),
            client_of("192.0.2.2".parse().unwrap())
        );
    }
}
