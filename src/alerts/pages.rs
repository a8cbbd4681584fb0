//! The alert pages (maud, inside the site's layout): the form, "check your inbox", the
//! management page and the unsubscribe pages. Plain HTML forms: no JavaScript needed.

use super::labels::t;
use crate::config::Config;
use crate::model::FieldError;
use crate::pages::{Layout, Ui};
use crate::store::AlertSubscription;
use crate::urls::{Urls, pattern};
use maud::{Markup, html};

/// What the form shows as chosen.
#[derive(Debug, Default, Clone)]
pub struct Prefill {
    /// Address typed.
    pub email: String,
    /// Topics ticked.
    pub topics: Vec<String>,
    /// Countries chosen.
    pub countries: Vec<String>,
    /// Story language (`""`: any).
    pub language: String,
    /// Saved search.
    pub q: String,
    /// `immediate`, `daily`, `weekly`.
    pub frequency: String,
}

impl Prefill {
    /// From a request (what was sent, valid or not, to show it again with its errors).
    pub fn of_input(i: &super::request::Input) -> Prefill {
        Prefill {
            email: i.email.clone().unwrap_or_default(),
            topics: i.topics.clone(),
            countries: i.countries.iter().map(|c| c.to_ascii_uppercase()).collect(),
            language: i.language.clone().unwrap_or_default(),
            q: i.q.clone().unwrap_or_default(),
            frequency: i.frequency.clone().unwrap_or_else(|| "immediate".into()),
        }
    }

    /// From a stored subscription (the management page: no address shown).
    pub fn of_subscription(s: &AlertSubscription) -> Prefill {
        Prefill {
            email: String::new(),
            topics: s.topics.clone(),
            countries: s.countries.clone(),
            language: s.language.clone().unwrap_or_default(),
            q: s.q.clone().unwrap_or_default(),
            frequency: s.frequency.clone(),
        }
    }
}

fn page(config: &Config, ui: Ui, title: &str, switch: Vec<(Ui, String)>, main: Markup) -> String {
    Layout {
        config,
        ui,
        title,
        head: html! { meta name="robots" content="noindex"; },
        switch,
    }
    .render(main)
}

fn errors_box(ui: Ui, errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.errors role="alert" {
                p { (if ui == Ui::Es { "Revise estos campos:" } else { "Please check these fields:" }) }
                ul { @for e in errors { li { strong { (e.field) } ": " (e.message) } } }
            }
        }
    }
}

/// The fields shared by the subscribe form and the management page.
fn fields(config: &Config, ui: Ui, p: &Prefill, with_email: bool) -> Markup {
    let countries = crate::places::shipped_table().countries();
    let mut sorted: Vec<_> = countries.iter().collect();
    sorted.sort_by_key(|c| crate::text::normalize(c.name(ui.code())));
    html! {
        input type="hidden" name="lang" value=(ui.code());
        @if with_email {
            p {
                label for="email" { (t(ui, "email")) }
                br;
                input #email type="email" name="email" required autocomplete="email" maxlength="254" size="40" value=(p.email);
            }
        }
        fieldset {
            legend { (t(ui, "topics")) }
            p.hint { (t(ui, "topics_hint")) }
            @for topic in &config.topics {
                @if config.topic_is_public(&topic.id) {
                    p {
                        label {
                            input type="checkbox" name="topics" value=(topic.id) checked[p.topics.contains(&topic.id)];
                            " " (topic.name(ui.code()))
                        }
                    }
                }
            }
        }
        p {
            label for="countries" { (t(ui, "countries")) }
            br;
            select #countries name="countries" multiple size="6" aria-describedby="countries-hint" {
                @for c in &sorted {
                    option value=(c.code) selected[p.countries.contains(&c.code)] { (c.name(ui.code())) }
                }
            }
            br;
            small #countries-hint { (t(ui, "countries_hint")) }
        }
        p {
            label for="language" { (t(ui, "language")) }
            br;
            select #language name="language" {
                option value="" selected[p.language.is_empty()] { (t(ui, "any_language")) }
                @for other in Ui::ALL {
                    option value=(other.code()) selected[p.language == other.code()] { (ui.language_name(other.code())) }
                }
            }
        }
        p {
            label for="q" { (t(ui, "q")) }
            br;
            input #q type="search" name="q" maxlength="500" value=(p.q);
        }
        fieldset {
            legend { (t(ui, "frequency")) }
            @for f in ["immediate", "daily", "weekly"] {
                p {
                    label {
                        input type="radio" name="frequency" value=(f) checked[p.frequency == f || (p.frequency.is_empty() && f == "immediate")];
                        " " (t(ui, f))
                    }
                }
            }
        }
        p {
            label for="key" { (t(ui, "key")) }
            br;
            input #key type="password" name="key" autocomplete="off" maxlength="200" size="40";
        }
    }
}

/// `GET /alerts` (and a refused `POST /alerts` shown again with its errors).
pub fn form_page(config: &Config, ui: Ui, p: &Prefill, errors: &[FieldError]) -> String {
    let urls = Urls::of(config);
    let switch = Ui::ALL
        .into_iter()
        .filter(|o| *o != ui)
        .map(|o| (o, urls.alerts(&format!("?lang={}", o.code()))))
        .collect();
    let main = html! {
        h1 { (t(ui, "title")) }
        p { (t(ui, "intro")) }
        (errors_box(ui, errors))
        form method="post" action=(urls.alerts("")) {
            (fields(config, ui, p, true))
            p { button type="submit" { (t(ui, "subscribe")) } }
        }
    };
    page(config, ui, t(ui, "title"), switch, main)
}

/// The answer to every well-formed `POST /alerts`, whatever the address.
pub fn accepted_page(config: &Config, ui: Ui) -> String {
    let main = html! {
        h1 { (t(ui, "accepted_title")) }
        p { (t(ui, "accepted")) }
    };
    page(config, ui, t(ui, "accepted_title"), Vec::new(), main)
}

/// The management page: the subscription's choices to change, and the way out.
pub fn manage_page(
    config: &Config,
    ui: Ui,
    s: &AlertSubscription,
    token: &str,
    notice: Option<&str>,
    errors: &[FieldError],
) -> String {
    let urls = Urls::of(config);
    let p = Prefill::of_subscription(s);
    let main = html! {
        h1 { (t(ui, "manage_title")) }
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        @if s.state == "suspended" { p.notice { (t(ui, "suspended")) } }
        (errors_box(ui, errors))
        form method="post" action=(urls.alerts_with_token(pattern::ALERTS_MANAGE, token)) {
            (fields(config, ui, &p, false))
            p { button type="submit" name="action" value="save" { (t(ui, "save")) } }
        }
        (unsubscribe_form(config, ui, token))
    };
    page(config, ui, t(ui, "manage_title"), Vec::new(), main)
}

fn unsubscribe_form(config: &Config, ui: Ui, token: &str) -> Markup {
    let urls = Urls::of(config);
    html! {
        form method="post" action=(urls.alerts_with_token(pattern::ALERTS_UNSUBSCRIBE, token)) {
            input type="hidden" name="List-Unsubscribe" value="One-Click";
            p { button type="submit" { (t(ui, "unsubscribe")) } }
        }
    }
}

/// `GET /alerts/unsubscribe?token=`: a button (a GET never unsubscribes: mail scanners
/// follow links).
pub fn unsubscribe_page(config: &Config, ui: Ui, token: &str) -> String {
    let main = html! {
        h1 { (t(ui, "unsubscribe")) }
        p { (t(ui, "unsubscribe_ask")) }
        (unsubscribe_form(config, ui, token))
    };
    page(config, ui, t(ui, "unsubscribe"), Vec::new(), main)
}

/// After unsubscribing.
pub fn unsubscribed_page(config: &Config, ui: Ui) -> String {
    let main = html! {
        h1 { (t(ui, "unsubscribed_title")) }
        p { (t(ui, "unsubscribed")) }
    };
    page(config, ui, t(ui, "unsubscribed_title"), Vec::new(), main)
}

/// A notice shown on the management page (`confirmed`, `saved`).
pub fn notice(ui: Ui, key: &str) -> &'static str {
    t(ui, key)
}
