//! Messages: multipart text and HTML from the same maud templates as the pages (a story is
//! the pages' `story_item`, plus its picture's alt text), with `Message-ID`, `Date`,
//! `List-Id`, `List-Unsubscribe` (https and mailto) and `List-Unsubscribe-Post` (RFC 2369,
//! RFC 2919, RFC 8058), DKIM-signed (RFC 6376) over those headers when a key is configured,
//! and the SMTP transport that sends them over pooled connections.

use super::labels::t;
use super::token::AlertToken;
use crate::config::{Config, MailSettings};
use crate::model::Article;
use crate::pages::Ui;
use crate::urls::{Urls, pattern};
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{Message, SmtpTransport, Transport};
use maud::{DOCTYPE, Markup, html};
use std::str::FromStr;

/// Reads a DKIM private key file: PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`) for RSA, or the
/// base64 of the 32-byte seed for Ed25519 (RFC 8463).
pub fn dkim_key(path: &std::path::Path) -> Result<DkimSigningKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the DKIM key {}: {e}", path.display()))?;
    if text.contains("BEGIN PRIVATE KEY") {
        return Err(format!(
            "{}: a PKCS#8 key; convert it to PKCS#1 with `openssl rsa -traditional -in KEY -out KEY.pem`",
            path.display()
        ));
    }
    let algorithm = if text.contains("BEGIN RSA PRIVATE KEY") {
        DkimSigningAlgorithm::Rsa
    } else {
        DkimSigningAlgorithm::Ed25519
    };
    DkimSigningKey::new(text.trim(), algorithm).map_err(|e| {
        format!(
            "{}: not a DKIM private key (PKCS#1 PEM for RSA, base64 seed for Ed25519): {e}",
            path.display()
        )
    })
}

/// The headers the DKIM signature covers: RFC 8058 §4 requires `List-Unsubscribe` and
/// `List-Unsubscribe-Post` among them.
const SIGNED: [&str; 9] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// Builds and sends messages.
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    dkim: Option<DkimConfig>,
    list_id: String,
    mailto: String,
}

impl Mailer {
    /// The transport and signer `settings` describe (nothing is connected yet).
    pub fn new(config: &Config, settings: &MailSettings) -> Result<Mailer, String> {
        let from = Mailbox::from_str(&settings.from)
            .map_err(|e| format!("mail.from {:?}: {e}", settings.from))?;
        let transport = SmtpTransport::from_url(&settings.smtp_url)
            .map_err(|e| format!("mail.smtp_url: {e}"))?
            .timeout(Some(settings.timeout))
            .pool_config(PoolConfig::new().max_size(settings.connections))
            .build();
        let dkim = match &settings.dkim {
            Some((selector, path)) => {
                let key = dkim_key(path).map_err(|e| format!("mail.dkim_key: {e}"))?;
                let headers = SIGNED
                    .iter()
                    .map(|h| HeaderName::new_from_ascii_str(h))
                    .collect();
                Some(DkimConfig::new(
                    selector.clone(),
                    settings.domain.clone(),
                    key,
                    headers,
                    DkimCanonicalization {
                        header: DkimCanonicalizationType::Relaxed,
                        body: DkimCanonicalizationType::Relaxed,
                    },
                ))
            }
            None => None,
        };
        let name: String = config
            .agency
            .name
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
            .collect();
        Ok(Mailer {
            transport,
            from,
            dkim,
            list_id: format!("{} <alerts.{}>", name.trim(), settings.domain),
            mailto: settings.unsubscribe_mailto.clone(),
        })
    }

    /// Builds one message to `to` with its list headers and a fresh token's links, signed
    /// when a DKIM key is set.
    pub fn build(&self, config: &Config, m: &Mail, to: &str) -> Result<Message, String> {
        let urls = Urls::of(config);
        let unsubscribe = urls.alerts_with_token(pattern::ALERTS_UNSUBSCRIBE, m.token.expose());
        let to = Mailbox::from_str(to).map_err(|e| format!("the address does not parse: {e}"))?;
        let mut b = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(header_text(&m.subject))
            .date(std::time::SystemTime::now())
            .message_id(Some(format!("<{}>", m.message_id)))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Id"),
                self.list_id.clone(),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!(
                    "<{unsubscribe}>, <mailto:{}?subject=unsubscribe%20{}>",
                    self.mailto,
                    m.token.expose()
                ),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
        if let Some(r) = &m.in_reply_to {
            b = b.in_reply_to(format!("<{r}>")).references(format!("<{r}>"));
        }
        let mut msg = b
            .multipart(MultiPart::alternative_plain_html(
                m.text.clone(),
                m.html.clone(),
            ))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        if let Some(d) = &self.dkim {
            msg.sign(d);
        }
        Ok(msg)
    }

    /// Hands a message to the SMTP server (a pooled connection is reused).
    pub fn send(&self, msg: &Message) -> Result<(), lettre::transport::smtp::Error> {
        self.transport.send(msg).map(|_| ())
    }
}

/// A header's text: control characters (CR, LF, tab …) become spaces, so text from a
/// headline can never start another header.
fn header_text(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One message's content.
pub struct Mail {
    /// Subject (made header-safe when built).
    pub subject: String,
    /// The text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// Without angle brackets.
    pub message_id: String,
    /// Without angle brackets.
    pub in_reply_to: Option<String>,
    /// The token of this message's links.
    pub token: AlertToken,
}

/// What a message says.
pub enum Content<'a> {
    /// The double opt-in.
    Confirm,
    /// A story as it becomes visible.
    Story(&'a Article),
    /// A correction of a story mailed before.
    Correction(&'a Article),
    /// A kill of a story mailed before.
    Kill(&'a Article),
    /// A digest: `daily` or `weekly`, and its stories.
    Digest(&'a str, &'a [Article]),
}

fn is_urgent(a: &Article) -> bool {
    a.content.urgency.is_some_and(|u| u <= 2)
}

fn alt_texts(a: &Article) -> Vec<String> {
    a.pictures
        .iter()
        .filter_map(|p| p.picture.meta.alt_text.clone())
        .filter(|s| !s.is_empty())
        .take(1)
        .collect()
}

/// The subject, text and HTML of a message in `ui`'s language.
pub fn render(
    config: &Config,
    ui: Ui,
    content: &Content<'_>,
    token: &AlertToken,
) -> (String, String, String) {
    let urls = Urls::of(config);
    let confirm = urls.alerts_with_token(pattern::ALERTS_CONFIRM, token.expose());
    let manage = urls.alerts_with_token(pattern::ALERTS_MANAGE, token.expose());
    let unsubscribe = urls.alerts_with_token(pattern::ALERTS_UNSUBSCRIBE, token.expose());
    let agency = &config.agency.name;
    let (subject, heading, notice, stories): (String, String, Option<String>, Vec<&Article>) =
        match content {
            Content::Confirm => (
                format!("{} · {agency}", t(ui, "confirm_subject")),
                t(ui, "confirm_subject").to_owned(),
                None,
                Vec::new(),
            ),
            Content::Story(a) => {
                let h = if is_urgent(a) {
                    format!("{}: {}", t(ui, "urgent"), a.content.headline)
                } else {
                    a.content.headline.clone()
                };
                (h.clone(), h, None, vec![*a])
            }
            Content::Correction(a) => {
                let h = format!("{}: {}", t(ui, "correction"), a.content.headline);
                (h.clone(), h, a.correction_note.clone(), vec![*a])
            }
            Content::Kill(a) => {
                let h = format!("{}: {}", t(ui, "kill"), a.content.headline);
                let reason = a
                    .kill_reason
                    .as_ref()
                    .map(|r| format!("{}: {r}", t(ui, "reason")));
                let note = match reason {
                    Some(r) => format!("{} {r}", t(ui, "kill_body")),
                    None => t(ui, "kill_body").to_owned(),
                };
                (h.clone(), h, Some(note), vec![*a])
            }
            Content::Digest(freq, list) => {
                let label = t(
                    ui,
                    if *freq == "weekly" {
                        "weekly_subject"
                    } else {
                        "daily_subject"
                    },
                );
                (
                    format!("{label}: {} {} · {agency}", list.len(), t(ui, "stories")),
                    label.to_owned(),
                    None,
                    list.iter().collect(),
                )
            }
        };
    let killed = matches!(content, Content::Kill(_));
    // The text part: the same content, line by line.
    let mut text = format!("{heading}\n\n");
    if let Content::Confirm = content {
        text.push_str(&format!(
            "{}\n{confirm}\n\n{}\n",
            t(ui, "confirm_body"),
            t(ui, "confirm_ignore")
        ));
    }
    if let Some(n) = &notice {
        text.push_str(&format!("{n}\n\n"));
    }
    for a in &stories {
        text.push_str(&format!("* {}\n", a.content.headline));
        if let Some(d) = &a.content.dateline {
            text.push_str(&format!("  {d}\n"));
        }
        if let Some(s) = &a.content.summary {
            text.push_str(&format!("  {s}\n"));
        }
        for alt in alt_texts(a) {
            text.push_str(&format!("  {}: {alt}\n", t(ui, "picture")));
        }
        if !killed {
            text.push_str(&format!(
                "  {}\n",
                crate::render::article_url(config, a.id.as_str())
            ));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "-- \n{} {agency}.\n{}: {manage}\n{}: {unsubscribe}\n",
        t(ui, "why"),
        t(ui, "manage"),
        t(ui, "unsubscribe")
    ));
    let body: Markup = html! {
        h1 { (heading) }
        @if let Content::Confirm = content {
            p { (t(ui, "confirm_body")) }
            p { a href=(confirm) { (t(ui, "confirm_button")) } }
            p { (t(ui, "confirm_ignore")) }
        }
        @if let Some(n) = &notice { p { strong { (n) } } }
        @if !stories.is_empty() {
            ul {
                @for a in &stories {
                    (crate::pages::story_item(config, ui, a))
                    @for alt in alt_texts(a) {
                        p { small { (t(ui, "picture")) ": " (alt) } }
                    }
                }
            }
        }
        hr;
        p {
            small {
                (t(ui, "why")) " " (agency) ". "
                a href=(manage) { (t(ui, "manage")) } " · "
                a href=(unsubscribe) { (t(ui, "unsubscribe")) }
            }
        }
    };
    let html = html! {
        (DOCTYPE)
        html lang=(ui.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (subject) }
            }
            body { (body) }
        }
    }
    .into_string();
    (subject, text, html)
}

#[cfg(test)]
mod tests {
    use super::header_text;

    #[test]
    fn header_text_cannot_start_a_header() {
        assert_eq!(
            header_text("Quake\r\nBcc: victim@example.org"),
            "Quake Bcc: victim@example.org"
        );
        // The control: ordinary text is kept as it is.
        assert_eq!(header_text("Sismo en Guatemala"), "Sismo en Guatemala");
    }
}
