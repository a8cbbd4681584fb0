//! The operational sections of `feeds.toml`: `[api]`, `[limits]`, `[websub]`, `[cdn]`.

use super::super::raw;
use super::super::{ApiSettings, CdnSettings, LimitSettings, MediaSettings, WebSubSettings};
use super::{Checker, parse_duration};
use std::time::Duration;
use toml::Spanned;

impl Checker {
    pub(super) fn int(
        &mut self,
        v: &Option<Spanned<i64>>,
        key: &str,
        range: (i64, i64),
        default: i64,
    ) -> i64 {
        match v {
            Some(n) if !(range.0..=range.1).contains(n.get_ref()) => {
                self.at(
                    n,
                    format!("{key} must be between {} and {}", range.0, range.1),
                );
                default
            }
            Some(n) => *n.get_ref(),
            None => default,
        }
    }

    pub(super) fn duration(
        &mut self,
        v: &Option<Spanned<String>>,
        key: &str,
        default: u64,
    ) -> Duration {
        match v {
            Some(d) => parse_duration(d.get_ref())
                .filter(|d| !d.is_zero())
                .unwrap_or_else(|| {
                    self.at(
                        d,
                        format!("{key} must look like \"10d\", \"12h\", \"30m\" or \"10s\""),
                    );
                    Duration::from_secs(default)
                }),
            None => Duration::from_secs(default),
        }
    }

    pub(super) fn media(
        &mut self,
        m: &raw::RawMedia,
        dir: Option<&Spanned<String>>,
        base: &std::path::Path,
    ) -> MediaSettings {
        let dir = dir.and_then(|d| {
            if d.get_ref().trim().is_empty() {
                self.at(
                    d,
                    "storage.media_dir must be a folder path (leave it out for one beside the database)",
                );
                None
            } else {
                Some(base.join(d.get_ref()))
            }
        });
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        MediaSettings {
            dir,
            max_upload_bytes: self.int(&m.max_upload_mb, "media.max_upload_mb", (1, 1024), 50)
                as usize
                * 1024
                * 1024,
            max_pixels: self.int(
                &m.max_pixels,
                "media.max_pixels",
                (1, 1_000_000_000),
                100_000_000,
            ) as u64,
            keep_gps: m.keep_gps.unwrap_or(false),
            workers: self.int(
                &m.workers,
                "media.workers",
                (1, 256),
                cores.saturating_sub(1).max(1) as i64,
            ) as usize,
            quality: self.int(&m.quality, "media.quality", (30, 100), 85) as u8,
        }
    }

    pub(super) fn api(&mut self, a: &raw::RawApi) -> ApiSettings {
        ApiSettings {
            max_body_bytes: self.int(&a.max_body_kb, "api.max_body_kb", (1, 65_536), 1024) as usize
                * 1024,
        }
    }

    pub(super) fn limits(&mut self, l: &raw::RawLimits) -> LimitSettings {
        LimitSettings {
            anonymous_per_minute: self.int(
                &l.anonymous_per_minute,
                "limits.anonymous_per_minute",
                (0, 10_000_000),
                600,
            ) as u32,
            key_per_minute: self.int(
                &l.key_per_minute,
                "limits.key_per_minute",
                (0, 10_000_000),
                1200,
            ) as u32,
            burst: self.int(&l.burst, "limits.burst", (1, 1_000_000), 60) as u32,
        }
    }

    pub(super) fn websub(&mut self, w: &raw::RawWebSub) -> WebSubSettings {
        let lease_default = self.duration(&w.lease_default, "websub.lease_default", 10 * 86_400);
        let lease_max = self.duration(&w.lease_max, "websub.lease_max", 30 * 86_400);
        if lease_default > lease_max
            && let Some(d) = &w.lease_default
        {
            self.at(
                d,
                "websub.lease_default must not be longer than websub.lease_max",
            );
        }
        WebSubSettings {
            lease_default,
            lease_max,
            max_attempts: self.int(&w.max_attempts, "websub.max_attempts", (1, 100), 12) as u32,
            timeout: self.duration(&w.timeout, "websub.timeout", 10),
            allow_private_callbacks: w
                .allow_private_callbacks
                .as_ref()
                .is_some_and(|b| *b.get_ref()),
        }
    }

    pub(super) fn cdn(&mut self, c: &raw::RawCdn, max_age: u32) -> CdnSettings {
        let mut purge_urls = Vec::new();
        for u in &c.purge_urls {
            match url::Url::parse(u.get_ref()) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {
                    purge_urls.push(u.get_ref().clone());
                }
                _ => self.at(
                    u,
                    "cdn.purge_urls: each entry must be an http:// or https:// URL of the cache",
                ),
            }
        }
        CdnSettings {
            s_maxage: self.int(
                &c.s_maxage,
                "cdn.s_maxage",
                (0, 31_536_000),
                i64::from(max_age),
            ) as u32,
            stale_if_error: self.int(
                &c.stale_if_error,
                "cdn.stale_if_error",
                (0, 31_536_000),
                300,
            ) as u32,
            purge_urls,
        }
    }
}
