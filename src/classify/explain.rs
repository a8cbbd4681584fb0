//! The sentence an editor reads for each topic decision.

use super::{Field, TopicScore};

/// One sentence: the verdict, what the rules found and which model features counted.
pub(super) fn reason(s: &TopicScore) -> String {
    let by_model = s.model.as_ref().is_some_and(|m| m.matched);
    let vetoed = s.model.as_ref().is_some_and(|m| m.vetoed);
    let verdict = if s.editor {
        "in (chosen by the editor)".to_owned()
    } else if let Some(f) = &s.forced {
        format!("in (forced by \"{f}\")")
    } else if let Some(f) = &s.forbidden {
        format!("out (forbidden by \"{f}\")")
    } else if vetoed {
        "out (the rules match, but the model overrules them)".to_owned()
    } else if s.rules && by_model {
        "in (rules and model)".to_owned()
    } else if s.rules {
        "in (rules)".to_owned()
    } else if by_model {
        "in (model)".to_owned()
    } else if s.near_miss && !s.anchored && s.score >= s.min_score {
        "out, but close: only supporting terms (weight below 2) or one word mentioned in passing"
            .to_owned()
    } else if s.near_miss {
        "out, but close: worth a look".to_owned()
    } else {
        "out".to_owned()
    };
    let hits: Vec<String> = s
        .hits
        .iter()
        .map(|h| {
            let field = match h.field {
                Field::Headline => "headline",
                Field::Body => "body",
            };
            format!(
                "\"{}\" (weight {}) {}×{} = {:+}",
                h.term, h.weight, field, h.count, h.score
            )
        })
        .collect();
    let mut out = format!("{verdict}: score {} of {} needed", s.score, s.min_score);
    if !hits.is_empty() {
        out.push_str(&format!(" ({})", hits.join(", ")));
    }
    if !s.excluded.is_empty() {
        out.push_str(&format!(
            "; not counted because of {}",
            s.excluded
                .iter()
                .map(|e| format!("\"{e}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(m) = &s.model {
        let cmp = if m.matched { "≥" } else { "<" };
        out.push_str(&format!(
            "; model: probability {:.2} {cmp} {:.2}",
            m.probability, m.threshold
        ));
        // The veto: only a rules match that the model does not share can be overruled.
        if s.rules && !m.matched && m.veto > 0.0 {
            let main = super::main_words(s);
            let which = if m.among.is_empty() {
                "this topic's rules alone".to_owned()
            } else {
                format!("a match shared with {}", m.among.join(" and "))
            };
            let weighed = format!(
                "the veto {:.2} (for {which}) divided by the rules' evidence {:.2} (score {} of {}, {main} main word{}) is {:.3}",
                m.veto,
                m.rule_evidence,
                s.score,
                s.min_score,
                if main == 1 { "" } else { "s" },
                m.veto_scaled
            );
            if m.vetoed {
                out.push_str(&format!(
                    "; veto applied: {:.3} is below {weighed}",
                    m.probability
                ));
            } else {
                out.push_str(&format!(
                    "; no veto: {:.3} is not below {weighed}",
                    m.probability
                ));
            }
        }
        if !m.features.is_empty() {
            let f: Vec<String> = m
                .features
                .iter()
                .map(|c| format!("{} {:+.2}", c.feature, c.score))
                .collect();
            out.push_str(&format!(" ({})", f.join(", ")));
        }
    }
    out
}
