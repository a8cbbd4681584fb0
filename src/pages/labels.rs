//! The page chrome in Spanish and English: every label, month name and date format.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

/// The language of a page's chrome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ui {
    /// Español.
    Es,
    /// English.
    En,
}

impl Ui {
    /// Both, in the order language switches list them.
    pub const ALL: [Ui; 2] = [Ui::Es, Ui::En];

    /// The BCP 47 primary subtag.
    pub fn code(self) -> &'static str {
        match self {
            Ui::Es => "es",
            Ui::En => "en",
        }
    }

    /// The chrome for a language tag, if there is one (`es-MX` → Spanish).
    pub fn from_tag(tag: &str) -> Option<Ui> {
        let primary = tag.split('-').next().unwrap_or(tag).trim();
        if primary.eq_ignore_ascii_case("es") {
            Some(Ui::Es)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Ui::En)
        } else {
            None
        }
    }

    /// The best chrome for an `Accept-Language` header (RFC 9110 §12.5.4), by q-value.
    pub fn negotiate(accept_language: &str) -> Option<Ui> {
        let mut best: Option<(f32, Ui)> = None;
        for part in accept_language.split(',') {
            let mut params = part.split(';');
            let tag = params.next().unwrap_or("").trim();
            let q = params
                .find_map(|p| p.trim().strip_prefix("q=")?.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(ui) = Ui::from_tag(tag)
                && q > 0.0
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, ui));
            }
        }
        best.map(|(_, ui)| ui)
    }

    /// A label in this language.
    pub fn t(self, key: &str) -> &'static str {
        let (es, en) = match key {
            "skip" => ("Saltar al contenido", "Skip to content"),
            "sections" => ("Secciones", "Sections"),
            "home" => ("Portada", "Home"),
            "search" => ("Buscar", "Search"),
            "this_language" => ("Español", "English"),
            "opml" => (
                "Todos los feeds públicos (OPML)",
                "Every public feed (OPML)",
            ),
            "latest" => ("Últimas noticias", "Latest stories"),
            "no_stories" => ("Todavía no hay noticias.", "No stories yet."),
            "email_alerts" => ("Alertas por correo", "Email alerts"),
            "more_in" => ("Más de", "More in"),
            "builder" => ("Crea tu feed", "Build a feed"),
            "builder_help" => (
                "Elige un tema, un idioma y un formato; pega la dirección en tu lector.",
                "Choose a topic, a language and a format, then paste the address into your reader.",
            ),
            "feed" => ("Feed", "Feed"),
            "language" => ("Idioma", "Language"),
            "any_language" => ("Todos los idiomas", "Every language"),
            "format" => ("Formato", "Format"),
            "search_optional" => ("Búsqueda (opcional)", "Search (optional)"),
            "show_url" => ("Mostrar la dirección", "Show the address"),
            "feed_url" => ("Dirección del feed", "Feed address"),
            "copy" => ("Copiar", "Copy"),
            "copied" => ("Copiada", "Copied"),
            "subscribers" => ("solo suscriptores", "subscribers only"),
            "feeds_of" => ("Feeds de este tema", "Feeds of this topic"),
            "feeds_of_country" => ("Feeds de este país", "Feeds of this country"),
            "older" => ("Noticias anteriores", "Older stories"),
            "newer" => ("Noticias más recientes", "Newer stories"),
            "by" => ("Por", "By"),
            "correction" => ("Corrección", "Correction"),
            "photo" => ("Foto", "Photo"),
            "updated" => ("Actualizada", "Updated"),
            "version" => ("versión", "version"),
            "topics" => ("Temas", "Topics"),
            "places" => ("Lugares", "Places"),
            "translations" => ("También en", "Also in"),
            "related" => ("Noticias relacionadas", "Related stories"),
            "evolved_from" => ("Versión anterior", "Earlier take"),
            "latest_take" => ("Última versión", "Latest take"),
            "take_killed" => ("retirada", "killed"),
            "slugline" => ("Etiqueta", "Slug"),
            "formats" => ("Otros formatos", "Other formats"),
            "usage_terms" => ("Condiciones de uso", "Usage terms"),
            "killed" => ("Noticia retirada", "Story withdrawn"),
            "killed_help" => (
                "La agencia retiró esta noticia. No debe publicarse.",
                "The agency withdrew this story. It must not be published.",
            ),
            "reason" => ("Motivo", "Reason"),
            "search_title" => ("Buscar noticias", "Search stories"),
            "search_label" => (
                "Palabras o \"frase exacta\"",
                "Words or \"an exact phrase\"",
            ),
            "results_for" => ("Resultados para", "Results for"),
            "no_results" => ("Ninguna noticia coincide.", "No story matches."),
            "search_feed" => (
                "Sigue esta búsqueda en tu lector",
                "Follow this search in your reader",
            ),
            "next_results" => ("Más resultados", "More results"),
            "previous_results" => ("Resultados anteriores", "Previous results"),
            "all_feed" => ("Todas las noticias", "All stories"),
            "kills_feed" => ("Avisos de retirada", "Kill notices"),
            "urgent_feed" => ("Noticias urgentes", "Urgent stories"),
            "urgent" => ("Urgente", "Urgent"),
            _ => ("", ""),
        };
        match self {
            Ui::Es => es,
            Ui::En => en,
        }
    }

    /// The name of a content language, in this language.
    pub fn language_name(self, tag: &str) -> String {
        match (self, tag.split('-').next().unwrap_or(tag)) {
            (Ui::Es, "es") => "español".into(),
            (Ui::Es, "en") => "inglés".into(),
            (Ui::En, "es") => "Spanish".into(),
            (Ui::En, "en") => "English".into(),
            (_, other) => other.to_owned(),
        }
    }

    /// `26 nov 2026, 18:45 (UTC−05:00)` / `26 Nov 2026, 18:45 (UTC−05:00)`.
    pub fn date_time(self, t: &DateTime<FixedOffset>) -> String {
        const ES: [&str; 12] = [
            "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
        ];
        const EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = match self {
            Ui::Es => ES[t.month0() as usize],
            Ui::En => EN[t.month0() as usize],
        };
        let secs = t.offset().local_minus_utc();
        let zone = if secs == 0 {
            "UTC".to_owned()
        } else {
            let sign = if secs < 0 { '\u{2212}' } else { '+' };
            let m = secs.unsigned_abs() / 60;
            format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
        };
        format!(
            "{} {month} {}, {:02}:{:02} ({zone})",
            t.day(),
            t.year(),
            t.hour(),
            t.minute()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_by_quality() {
        assert_eq!(Ui::negotiate("fr-FR, en;q=0.8, es;q=0.9"), Some(Ui::Es));
        assert_eq!(Ui::negotiate("en-GB,en;q=0.9"), Some(Ui::En));
        assert_eq!(Ui::negotiate("fr, de"), None);
        assert_eq!(Ui::negotiate("es;q=0"), None);
    }

    #[test]
    fn the_story_keeps_its_offset() {
        let t = DateTime::parse_from_rfc3339("2026-11-27T16:45:00-05:00").unwrap();
        assert_eq!(
            Ui::En.date_time(&t),
            "27 Nov 2026, 16:45 (UTC\u{2212}05:00)"
        );
        assert_eq!(
            Ui::Es.date_time(&t),
            "27 nov 2026, 16:45 (UTC\u{2212}05:00)"
        );
    }
}
