//! The `[mail]` section: email alerts (contract §16). The DKIM key file's contents are checked
//! by `wirefeed check` through `alerts` (only it reads keys); here, that it is named and exists.

use super::super::MailSettings;
use super::super::raw::RawMail;
use super::Checker;
use std::path::Path;
use std::str::FromStr;
use toml::Spanned;

/// Whether `s` could be a mailbox `local@domain` or `Name <local@domain>`: one `@`, no
/// whitespace or control characters in the address, nothing that could end a header.
pub(super) fn mailbox_domain(s: &str) -> Option<String> {
    if s.chars().any(|c| c.is_control()) || s.len() > 320 {
        return None;
    }
    let addr = match (s.rfind('<'), s.ends_with('>')) {
        (Some(i), true) => &s[i + 1..s.len() - 1],
        (None, false) => s,
        _ => return None,
    };
    let (local, domain) = addr.rsplit_once('@')?;
    let ok = |p: &str| {
        !p.is_empty() && !p.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '@'))
    };
    (ok(local) && ok(domain) && domain.contains('.') || domain == "localhost")
        .then(|| domain.to_ascii_lowercase())
}

impl Checker {
    pub(super) fn mail(&mut self, m: &Spanned<RawMail>, base: &Path) -> Option<MailSettings> {
        let before = self.problems.len();
        let raw = m.get_ref();
        let smtp_url = match &raw.smtp_url {
            None => {
                self.at(m, "[mail] needs smtp_url (\"smtp://localhost:25\")");
                String::new()
            }
            Some(u) => match url::Url::parse(u.get_ref()) {
                Ok(p) if matches!(p.scheme(), "smtp" | "smtps") && p.has_host() => {
                    u.get_ref().clone()
                }
                _ => {
                    self.at(
                        u,
                        "mail.smtp_url must be smtp://host:port or smtps://host:port",
                    );
                    String::new()
                }
            },
        };
        let (from, domain) = match &raw.from {
            None => {
                self.at(
                    m,
                    "[mail] needs from (\"Agency Alerts <alerts@wire.example>\")",
                );
                (String::new(), String::new())
            }
            Some(f) => match mailbox_domain(f.get_ref()) {
                Some(d) => (f.get_ref().clone(), d),
                None => {
                    self.at(
                        f,
                        "mail.from must be an address (\"alerts@wire.example\" or \"Name <alerts@wire.example>\")",
                    );
                    (String::new(), String::new())
                }
            },
        };
        let dkim = match (&raw.dkim_selector, &raw.dkim_key) {
            (None, None) => None,
            (Some(s), Some(k)) => {
                let sel = s.get_ref();
                if sel.is_empty()
                    || !sel
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                {
                    self.at(
                        s,
                        "mail.dkim_selector must be a DNS label such as \"wire2026\"",
                    );
                }
                let path = base.join(k.get_ref());
                if !path.is_file() {
                    self.at(
                        k,
                        format!(
                            "mail.dkim_key: no key file at {} (PEM, RSA or Ed25519)",
                            path.display()
                        ),
                    );
                }
                Some((sel.clone(), path))
            }
            (Some(s), None) => {
                self.at(s, "mail.dkim_selector needs mail.dkim_key");
                None
            }
            (None, Some(k)) => {
                self.at(k, "mail.dkim_key needs mail.dkim_selector");
                None
            }
        };
        let digest_time = match &raw.digest_time {
            None => (7, 0),
            Some(t) => match t
                .get_ref()
                .split_once(':')
                .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
            {
                Some((h, mi)) if h < 24 && mi < 60 && t.get_ref().len() == 5 => (h, mi),
                _ => {
                    self.at(t, "mail.digest_time must be HH:MM, 24-hour (\"07:00\")");
                    (7, 0)
                }
            },
        };
        let timezone = match &raw.timezone {
            None => chrono_tz::UTC,
            Some(z) => chrono_tz::Tz::from_str(z.get_ref()).unwrap_or_else(|_| {
                self.at(
                    z,
                    format!(
                        "mail.timezone {:?} is not an IANA time zone such as \"Europe/Madrid\"",
                        z.get_ref()
                    ),
                );
                chrono_tz::UTC
            }),
        };
        let weekly_day = match &raw.weekly_day {
            None => chrono::Weekday::Mon,
            Some(d) => d.get_ref().parse().unwrap_or_else(|_| {
                self.at(d, "mail.weekly_day must be a day name such as \"monday\"");
                chrono::Weekday::Mon
            }),
        };
        let unsubscribe_mailto = match &raw.unsubscribe_mailto {
            None => {
                let f = from.as_str();
                f.rfind('<')
                    .map_or(f, |i| f[i + 1..].trim_end_matches('>'))
                    .to_owned()
            }
            Some(u) => match mailbox_domain(u.get_ref()) {
                Some(_) if !u.get_ref().contains('<') => u.get_ref().clone(),
                _ => {
                    self.at(u, "mail.unsubscribe_mailto must be a bare address");
                    String::new()
                }
            },
        };
        let settings = MailSettings {
            smtp_url,
            from,
            domain,
            dkim,
            digest_time,
            timezone,
            weekly_day,
            confirm_interval: self.duration(&raw.confirm_interval, "mail.confirm_interval", 3600),
            retry_base: self.duration(&raw.retry_base, "mail.retry_base", 30),
            max_attempts: self.int(&raw.max_attempts, "mail.max_attempts", (1, 100), 12) as u32,
            max_failures: self.int(&raw.max_failures, "mail.max_failures", (1, 1000), 5) as u32,
            timeout: self.duration(&raw.timeout, "mail.timeout", 30),
            connections: self.int(&raw.connections, "mail.connections", (1, 64), 8) as u32,
            unsubscribe_mailto,
        };
        (self.problems.len() == before).then_some(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::mailbox_domain;

    #[test]
    fn mailboxes_are_told_from_header_injection() {
        assert_eq!(
            mailbox_domain("Wire <alerts@Wire.Example>").as_deref(),
            Some("wire.example")
        );
        assert_eq!(
            mailbox_domain("alerts@wire.example").as_deref(),
            Some("wire.example")
        );
        assert_eq!(mailbox_domain("alerts@wire.example\r\nBcc: x@y.z"), None);
        assert_eq!(mailbox_domain("no-at-sign"), None);
        assert_eq!(mailbox_domain("a b@wire.example"), None);
    }
}
