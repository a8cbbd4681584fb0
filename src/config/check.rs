//! Checks the literal `feeds.toml` and turns it into a [`Config`], collecting every problem
//! with its line instead of stopping at the first.

use super::raw::{self, RawConfig};
use super::*;
use toml::Spanned;

mod feeds;
mod mail;
mod sections;
mod server;

/// Parses and checks config text; relative paths are resolved against `base`.
pub(super) fn check(src: &str, base: &Path) -> Result<Config, Vec<Problem>> {
    let lines = LineIndex::new(src);
    let raw: RawConfig = toml::from_str(src).map_err(|e| {
        let line = e.span().map(|s| lines.line(s.start)).unwrap_or(0);
        vec![Problem {
            line,
            message: e.message().trim().to_owned(),
        }]
    })?;
    let mut ck = Checker {
        lines,
        problems: Vec::new(),
    };
    let config = ck.config(raw, base);
    if ck.problems.is_empty() {
        Ok(config)
    } else {
        ck.problems.sort_by_key(|p| p.line);
        Err(ck.problems)
    }
}

/// Maps byte offsets to 1-based line numbers.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

struct Checker {
    lines: LineIndex,
    problems: Vec<Problem>,
}

impl Checker {
    fn at<T>(&mut self, s: &Spanned<T>, message: impl Into<String>) {
        let line = self.lines.line(s.span().start);
        self.problems.push(Problem {
            line,
            message: message.into(),
        });
    }

    fn config(&mut self, raw: RawConfig, base: &Path) -> Config {
        let agency = self.agency(&raw.agency);
        let bind = self.bind(raw.server.bind.as_ref());
        let (trusted_proxies, forwarded_header) = self.proxies(&raw.server);
        // Two workers per core: measured on 2 cores, 4 workers answer about 30 % more
        // revalidations than 2, as a worker waiting on the scheduler leaves the core to another.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = match &raw.server.workers {
            Some(w) if !(1..=256).contains(w.get_ref()) => {
                self.at(w, "server.workers must be between 1 and 256");
                2 * cores
            }
            Some(w) => *w.get_ref() as usize,
            None => 2 * cores,
        };
        let database_line = raw
            .storage
            .database
            .as_ref()
            .map(|d| self.lines.line(d.span().start));
        let database = base.join(
            raw.storage
                .database
                .map(Spanned::into_inner)
                .unwrap_or_else(|| "data/wirefeed.db".to_owned()),
        );
        let seed_dir = self.seed_dir(raw.storage.seed_dir, base);
        let feeds = self.feed_settings(&raw.feeds);
        let headline_weight = match &raw.classifier.headline_weight {
            Some(w) if !(*w.get_ref() >= 1.0 && w.get_ref().is_finite()) => {
                self.at(w, "classifier.headline_weight must be a number >= 1");
                2.0
            }
            Some(w) => *w.get_ref(),
            None => 2.0,
        };
        let model = match &raw.classifier.model {
            Some(m) if m.get_ref().trim().is_empty() => {
                self.at(
                    m,
                    "classifier.model must be a file path (leave it out for rules only)",
                );
                None
            }
            Some(m) => Some(base.join(m.get_ref())),
            None => None,
        };
        let topics = self.topics(&raw.topic);
        let feed_list = self.feeds(&raw.feed, &topics);
        let api = self.api(&raw.api);
        let limits = self.limits(&raw.limits);
        let websub = self.websub(&raw.websub);
        let cdn = self.cdn(&raw.cdn, feeds.max_age);
        let media = self.media(&raw.media, raw.storage.media_dir.as_ref(), base);
        let mail = raw.mail.as_ref().and_then(|m| self.mail(m, base));
        Config {
            agency,
            bind,
            trusted_proxies,
            forwarded_header,
            workers,
            database,
            database_line,
            seed_dir,
            feeds,
            headline_weight,
            model,
            topics,
            feed_list,
            api,
            limits,
            websub,
            cdn,
            media,
            mail,
        }
    }

    fn agency(&mut self, a: &Spanned<raw::RawAgency>) -> Agency {
        let a = a.get_ref();
        let base_url = match check_base_url(a.base_url.get_ref()) {
            Ok(u) => u,
            Err(m) => {
                self.at(&a.base_url, format!("agency.base_url: {m}"));
                "http://localhost".to_owned()
            }
        };
        let host = base_url.split_once("://").map_or("localhost", |(_, rest)| {
            rest.split(['/', ':']).next().unwrap_or(rest)
        });
        if !is_language_tag(a.language.get_ref()) {
            self.at(
                &a.language,
                format!(
                    "agency.language {:?} is not a BCP 47 language tag",
                    a.language.get_ref()
                ),
            );
        }
        let tag_authority = match &a.tag_authority {
            Some(t) => {
                let ok = t
                    .get_ref()
                    .split_once(',')
                    .is_some_and(|(name, date)| !name.is_empty() && date.len() >= 4);
                if !ok {
                    self.at(
                        t,
                        "agency.tag_authority must look like \"example.org,2026\" (RFC 4151)",
                    );
                }
                t.get_ref().clone()
            }
            None => format!("{host},2026"),
        };
        for (field, value) in [("name", &a.name), ("copyright", &a.copyright)] {
            if value.get_ref().trim().is_empty() {
                self.at(value, format!("agency.{field} must not be empty"));
            }
        }
        let usage_terms = a.usage_terms.as_ref().and_then(|u| {
            let n = u.get_ref().chars().count();
            if n > super::MAX_USAGE_TERMS {
                self.at(
                    u,
                    format!(
                        "agency.usage_terms has {n} characters; the most is {}",
                        super::MAX_USAGE_TERMS
                    ),
                );
            }
            Some(u.get_ref().trim().to_owned()).filter(|u| !u.is_empty())
        });
        let data_mining = a.data_mining.as_ref().and_then(|d| {
            let parsed = crate::model::DataMining::parse(d.get_ref());
            if parsed.is_none() {
                self.at(
                    d,
                    format!(
                        "agency.data_mining {:?} is not a code of the data-mining vocabulary IPTC uses \
                         (PLUS, {}): one of {}",
                        d.get_ref(),
                        crate::model::PLUS_VOCAB,
                        crate::model::DataMining::codes().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            parsed
        });
        let tdm_policy = a.tdm_policy.as_ref().map(|p| {
            let ok = url::Url::parse(p.get_ref())
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
            if !ok {
                self.at(
                    p,
                    format!(
                        "agency.tdm_policy {:?} must be an absolute http(s) URL (W3C TDMRep tdm-policy)",
                        p.get_ref()
                    ),
                );
            } else if !data_mining.is_some_and(|d| d.reserves_mining()) {
                self.at(
                    p,
                    "agency.tdm_policy is sent only while mining is reserved: set agency.data_mining \
                     to a DMI-PROHIBITED code, or remove tdm_policy",
                );
            }
            p.get_ref().clone()
        });
        Agency {
            name: a.name.get_ref().clone(),
            base_url,
            language: a.language.get_ref().clone(),
            copyright: a.copyright.get_ref().clone(),
            tag_authority,
            usage_terms,
            data_mining,
            tdm_policy,
        }
    }

    fn topics(&mut self, raw: &[Spanned<raw::RawTopic>]) -> Vec<Topic> {
        let mut seen = HashSet::new();
        let mut topics = Vec::new();
        for t in raw {
            let t = t.get_ref();
            let id = t.id.get_ref();
            let valid_id = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid_id {
                self.at(
                    &t.id,
                    format!("topic id {id:?} must be lowercase letters, digits and '-'"),
                );
            } else if id == "all" || id == "kills" || id == super::URGENT {
                self.at(
                    &t.id,
                    format!("topic id {id:?} is reserved for a built-in feed"),
                );
            } else if !seen.insert(id.clone()) {
                self.at(&t.id, format!("topic {id:?} is defined twice"));
            }
            if t.name.get_ref().is_empty() {
                self.at(
                    &t.name,
                    format!("topic {id:?} needs a name, e.g. name = {{ en = \"…\", es = \"…\" }}"),
                );
            }
            for lang in t.name.get_ref().keys() {
                if !is_language_tag(lang) {
                    self.at(
                        &t.name,
                        format!("topic {id:?}: name key {lang:?} is not a language tag"),
                    );
                }
            }
            if t.iptc.get_ref().is_empty() {
                self.at(
                    &t.iptc,
                    format!("topic {id:?} needs at least one IPTC Media Topic code"),
                );
            }
            let mut iptc = Vec::new();
            for c in t.iptc.get_ref() {
                let code = c.get_ref().code.get_ref();
                let ok = code
                    .strip_prefix("medtop:")
                    .is_some_and(|n| n.len() == 8 && n.chars().all(|d| d.is_ascii_digit()));
                if !ok {
                    self.at(
                        &c.get_ref().code,
                        format!("IPTC code {code:?} must look like \"medtop:20000771\""),
                    );
                }
                iptc.push(IptcCode {
                    qcode: code.clone(),
                    en: c.get_ref().en.clone(),
                    es: c.get_ref().es.clone(),
                });
            }
            let min_score = match &t.min_score {
                Some(m) if !(*m.get_ref() > 0.0 && m.get_ref().is_finite()) => {
                    self.at(
                        m,
                        format!("topic {id:?}: min_score must be a positive number"),
                    );
                    1.0
                }
                Some(m) => *m.get_ref(),
                None => 3.0,
            };
            let mut terms_seen = HashSet::new();
            let rules = t
                .rules
                .iter()
                .map(|r| {
                    let r = r.get_ref();
                    if !(*r.weight.get_ref() != 0.0 && r.weight.get_ref().is_finite()) {
                        self.at(
                            &r.weight,
                            format!("topic {id:?}: rule weight must be a non-zero number (negative for terms that argue against the topic)"),
                        );
                    }
                    self.rule(
                        id,
                        r.lang.as_ref(),
                        *r.weight.get_ref(),
                        &r.terms,
                        &r.weight,
                        &mut terms_seen,
                        "term",
                    )
                })
                .collect();
            let mut excl_seen = HashSet::new();
            let exclude = t
                .exclude
                .iter()
                .map(|e| {
                    let e_ref = e.get_ref();
                    self.rule(
                        id,
                        e_ref.lang.as_ref(),
                        0.0,
                        &e_ref.terms,
                        e,
                        &mut excl_seen,
                        "exclusion",
                    )
                })
                .collect();
            let mut phrases = |list: &[Spanned<raw::RawExclude>], what: &str| -> Vec<Rule> {
                let mut seen = HashSet::new();
                list.iter()
                    .map(|e| {
                        let r = e.get_ref();
                        self.rule(id, r.lang.as_ref(), 0.0, &r.terms, e, &mut seen, what)
                    })
                    .collect()
            };
            let force = phrases(&t.force, "force phrase");
            let forbid = phrases(&t.forbid, "forbid phrase");
            topics.push(Topic {
                id: id.clone(),
                names: t.name.get_ref().clone(),
                iptc,
                min_score,
                rules,
                exclude,
                force,
                forbid,
            });
        }
        // Topic ids are the agency's own: none is required (docs/api.md, Configuration names the shipped ones).
        topics
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per rule kind; a struct would only rename them"
    )]
    fn rule<T>(
        &mut self,
        topic: &str,
        lang: Option<&Spanned<String>>,
        weight: f64,
        terms: &[Spanned<String>],
        anchor: &Spanned<T>,
        seen: &mut HashSet<(Option<String>, String)>,
        what: &str,
    ) -> Rule {
        if let Some(l) = lang
            && !is_language_tag(l.get_ref())
        {
            self.at(
                l,
                format!(
                    "topic {topic:?}: lang {:?} is not a language tag",
                    l.get_ref()
                ),
            );
        }
        // Rules apply by primary language subtag: `es-MX` rules fire for `es` articles.
        let lang = lang.map(|l| {
            l.get_ref()
                .split('-')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        });
        if terms.is_empty() {
            self.at(
                anchor,
                format!("topic {topic:?}: a {what} list must not be empty"),
            );
        }
        let mut out = Vec::new();
        for term in terms {
            let text = term.get_ref().trim();
            if text.trim_end_matches('*').trim().is_empty() {
                self.at(term, format!("topic {topic:?}: empty {what}"));
                continue;
            }
            // `migrant*` (any ending) and `migrant` (the word) are different terms.
            let key = format!(
                "{}{}",
                crate::text::normalize(text),
                if text.ends_with('*') { "*" } else { "" }
            );
            if !seen.insert((lang.clone(), key)) {
                self.at(term, format!("topic {topic:?}: duplicate {what} {text:?}"));
                continue;
            }
            out.push(text.to_owned());
        }
        Rule {
            lang,
            weight,
            terms: out,
            line: self.lines.line(anchor.span().start),
        }
    }
}

/// Checks a public base URL (`agency.base_url`, `--base-url`): absolute `http` or `https`, a
/// host, no query or fragment. Returns it without a trailing slash.
pub fn check_base_url(s: &str) -> Result<String, String> {
    let u = s.trim_end_matches('/');
    let bad = |why: &str| {
        Err(format!(
            "{why}: an absolute http(s) URL such as https://wire.example.org is needed, got {s:?}"
        ))
    };
    let Some((scheme, rest)) = u.split_once("://") else {
        return bad("no scheme");
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return bad("the scheme is not http or https");
    }
    let host = rest.split(['/', ':']).next().unwrap_or("");
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']'))
    {
        return bad("the host is missing or malformed");
    }
    if u.contains(['?', '#', ' ', '"', '<', '>', '\\']) || u.chars().any(|c| c.is_control()) {
        return bad("it must not contain a query, a fragment, spaces or quotes");
    }
    if let Some(port) = rest
        .split('/')
        .next()
        .and_then(|h| h.rsplit_once(':'))
        .map(|(_, p)| p)
        && !host.starts_with('[')
        && port.parse::<u16>().is_err()
    {
        return bad("the port is not a number");
    }
    Ok(u.to_owned())
}

/// Parses `7d`, `36h`, `90m` or `45s`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = num.parse().ok()?;
    let secs = match unit {
        "d" => n.checked_mul(86_400)?,
        "h" => n.checked_mul(3_600)?,
        "m" => n.checked_mul(60)?,
        "s" => n,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_offsets_to_lines() {
        let idx = LineIndex::new("a\nbb\nccc");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(5), 3);
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("36h"), Some(Duration::from_secs(129_600)));
        assert_eq!(parse_duration("7 days"), None);
        assert_eq!(parse_duration("d"), None);
    }

    #[test]
    fn language_tags_are_recognised() {
        assert!(is_language_tag("es"));
        assert!(is_language_tag("es-419"));
        assert!(is_language_tag("en-GB"));
        assert!(!is_language_tag("english"));
        assert!(!is_language_tag(""));
        // RFC 5646 §4.4.1's 35 characters: the longest accepted, one more is refused.
        let longest = "es-abcdefgh-abcdefgh-abcdefgh-abcde";
        assert_eq!(longest.len(), MAX_LANGUAGE_TAG);
        assert!(is_language_tag(longest));
        assert!(!is_language_tag(&format!("{longest}x")));
    }
}
