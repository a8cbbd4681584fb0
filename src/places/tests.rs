//! The finder on sentences written for each trap (contract §14; issue 24 step 3). Each negative
//! check has its positive control beside it.

use super::Places;
use crate::model::Content;
use std::sync::OnceLock;

mod data;
mod words;

fn finder() -> &'static Places {
    static P: OnceLock<Places> = OnceLock::new();
    P.get_or_init(Places::shipped)
}

fn content(lang: &str, headline: &str, body: &str, dateline: Option<&str>) -> Content {
    Content {
        headline: headline.into(),
        summary: None,
        body: body.into(),
        language: lang.into(),
        byline: vec![],
        dateline: dateline.map(Into::into),
        published_at: None,
        published_offset: None,
        embargo_until: None,
        editor_topics: vec![],
        editor_places: vec![],
        keywords: vec![],
        urgency: None,
        translation_of: None,
        media: vec![],
        usage_terms: None,
        evolved_from: None,
        slugline: None,
    }
}

fn places(lang: &str, headline: &str, body: &str) -> Vec<String> {
    finder().places(&content(lang, headline, body, None))
}

fn dated(lang: &str, dateline: &str, headline: &str, body: &str) -> Vec<String> {
    finder().places(&content(lang, headline, body, Some(dateline)))
}

#[test]
fn a_headline_places_a_story_and_a_passing_mention_does_not() {
    assert_eq!(
        places(
            "en",
            "Peru raises interest rates again",
            "The central bank said inflation was slowing. Analysts had expected the move after \
             a similar decision by the United States Federal Reserve last month, and markets \
             took the news calmly; the sol held steady against the dollar in afternoon trading \
             and bond yields barely moved, traders in the capital said.",
        ),
        ["PE"]
    );
    // Control: the United States named twice deep in the body of a story about it counts.
    assert_eq!(
        places(
            "en",
            "Fed holds rates",
            "Officials in Washington kept rates unchanged. The United States economy grew.",
        ),
        ["US"]
    );
}

#[test]
fn the_dateline_places_a_story() {
    assert_eq!(
        dated(
            "es",
            "TEGUCIGALPA",
            "Sube el precio del café",
            "Los productores celebraron."
        ),
        ["HN"]
    );
    assert_eq!(
        dated(
            "en",
            "NAIROBI, Kenya",
            "Drought hits harvest",
            "Farmers said rain was late."
        ),
        ["KE"]
    );
}

#[test]
fn the_dateline_alone_does_not_place_a_story_about_somewhere_else() {
    // Filed from Geneva, about Sudan: Switzerland is only the venue.
    assert_eq!(
        dated(
            "en",
            "GENEVA",
            "UN appeals for Sudan aid",
            "GENEVA, Dec 3 (Wire) - The appeal for Sudan seeks $2 billion. Sudan's army and the \
             RSF keep fighting.",
        ),
        ["SD"]
    );
    // Control: the dateline's country counts with one more mention of it.
    assert_eq!(
        dated(
            "es",
            "MANAGUA",
            "Sube el precio del frijol",
            "MANAGUA, 4 dic (Agencia) – El precio subió en los mercados de Nicaragua.",
        ),
        ["NI"]
    );
    // The dateline repeated at the start of the body is not a second mention.
    assert_eq!(
        super::without_dateline(
            "SAN JOSÉ, 4 dic (Agencia) – El tribunal falló.",
            Some("SAN JOSÉ")
        ),
        "El tribunal falló."
    );
}

#[test]
fn georgia_the_country_and_georgia_the_us_state() {
    assert_eq!(
        places(
            "en",
            "Protesters fill the streets of Georgia's capital",
            "Thousands marched in Tbilisi against the foreign agents law.",
        ),
        ["GE"]
    );
    assert_eq!(
        places(
            "en",
            "Georgia governor signs voting bill",
            "The law, signed in Atlanta on Friday, changes early voting across the state.",
        ),
        ["US"]
    );
    assert_eq!(
        places(
            "es",
            "Georgia celebra elecciones parlamentarias",
            "Los georgianos votan en Tiflis y el resto del país.",
        ),
        ["GE"]
    );
}

#[test]
fn jordan_and_chad_as_people_are_not_countries() {
    assert_eq!(
        places(
            "en",
            "Basketball legend turns 60",
            "Michael Jordan celebrated with former teammates. Fans sent messages from around \
             the world to Jordan, who won six titles.",
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        places(
            "en",
            "Chad Meyers named new coach",
            "The club said Chad Meyers starts on Monday.",
        ),
        Vec::<String>::new()
    );
    // Controls: the countries.
    assert_eq!(
        places(
            "en",
            "Jordan reopens border crossing",
            "The crossing into Jordan reopened on Sunday, officials in Amman said.",
        ),
        ["JO"]
    );
    assert_eq!(
        places(
            "en",
            "Floods displace thousands in Chad",
            "Heavy rain in Chad forced families from their homes near N'Djamena.",
        ),
        ["TD"]
    );
}

#[test]
fn niger_nigeria_niger_state_and_the_niger_river() {
    assert_eq!(
        places(
            "en",
            "Niger junta expels envoy",
            "The military rulers of Niger acted in Niamey."
        ),
        ["NE"]
    );
    assert_eq!(
        places(
            "en",
            "Nigeria fuel prices rise",
            "Drivers in Lagos queued for hours."
        ),
        ["NG"]
    );
    assert_eq!(
        places(
            "en",
            "Gunmen kidnap pupils in Niger State",
            "The attack in Niger State, north-central region, was the third this year.",
        ),
        ["NG"]
    );
    assert_eq!(
        places(
            "en",
            "Boats resume service on the Niger River",
            "River traffic on the Niger River picked up as water levels rose.",
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        places(
            "es",
            "Inundaciones en Níger y Nigeria",
            "Las lluvias afectaron a ambos países. Níger declaró la emergencia y Nigeria envió ayuda.",
        ),
        ["NE", "NG"]
    );
}

#[test]
fn guinea_alone_and_the_other_guineas() {
    assert_eq!(
        places(
            "en",
            "Guinea sets election date",
            "The vote will be held in Conakry in May."
        ),
        ["GN"]
    );
    assert_eq!(
        places(
            "en",
            "Guinea-Bissau swears in president",
            "The ceremony in Bissau was brief."
        ),
        ["GW"]
    );
    assert_eq!(
        places(
            "es",
            "Guinea Ecuatorial amplía su producción de gas",
            "El ministerio en Malabo anunció nuevos contratos.",
        ),
        ["GQ"]
    );
    assert_eq!(
        places(
            "en",
            "Papua New Guinea landslide kills dozens",
            "Rescuers in Papua New Guinea dug through the mud.",
        ),
        ["PG"]
    );
    assert_eq!(
        places(
            "en",
            "Scientists study guinea pigs",
            "The guinea pig study ran for two years at a university lab.",
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        places(
            "en",
            "Rare bird found on New Guinea",
            "Researchers on New Guinea island photographed the bird.",
        ),
        Vec::<String>::new()
    );
}

#[test]
fn cities_in_several_countries_follow_the_context() {
    assert_eq!(
        places(
            "es",
            "Santiago amanece con lluvia",
            "Las autoridades de Chile pidieron calma."
        ),
        ["CL"]
    );
    assert_eq!(
        places(
            "es",
            "Córdoba recibe a inversores",
            "La provincia argentina de Córdoba firmó acuerdos. Argentina espera más.",
        ),
        ["AR"]
    );
    assert_eq!(
        places(
            "es",
            "Córdoba llena sus patios de flores",
            "La ciudad andaluza celebra su fiesta. España recibe miles de turistas en la ciudad.",
        ),
        ["ES"]
    );
    assert_eq!(
        places(
            "en",
            "San Jose approves transit plan",
            "The California city council voted to extend light rail in the United States' tech hub.",
        ),
        ["US"]
    );
    assert_eq!(
        places(
            "es",
            "San José estrena tranvía",
            "El gobierno de Costa Rica inauguró la obra."
        ),
        ["CR"]
    );
    assert_eq!(
        places(
            "es",
            "León celebra su feria",
            "La ciudad de Nicaragua recibe visitantes."
        ),
        ["NI"]
    );
    assert_eq!(
        places(
            "es",
            "León celebra su feria",
            "Guanajuato, en México, recibe a miles."
        ),
        ["MX"]
    );
}

#[test]
fn dominica_the_dominican_republic_and_dominical() {
    assert_eq!(
        places(
            "en",
            "Hurricane nears Dominica",
            "Dominica closed its airport in Roseau."
        ),
        ["DM"]
    );
    assert_eq!(
        places(
            "es",
            "República Dominicana abre su frontera",
            "El gobierno dominicano reabrió los pasos.",
        ),
        ["DO"]
    );
    assert_eq!(
        places(
            "es",
            "El mercado dominical vuelve al centro",
            "Cada domingo, el mercado dominical reúne a cientos de vendedores.",
        ),
        Vec::<String>::new()
    );
}

#[test]
fn the_two_congos_and_the_two_koreas() {
    assert_eq!(
        places(
            "en",
            "Rebels advance in eastern Congo",
            "The M23 fighters neared Goma, in the Democratic Republic of the Congo.",
        ),
        ["CD"]
    );
    assert_eq!(
        places(
            "en",
            "Congo holds presidential vote",
            "Voters in Brazzaville, the capital of the Republic of Congo, queued early.",
        ),
        ["CG"]
    );
    assert_eq!(
        places(
            "en",
            "North Korea fires missile",
            "Pyongyang launched it at dawn."
        ),
        ["KP"]
    );
    assert_eq!(
        places(
            "es",
            "Corea del Sur aprueba presupuesto",
            "El parlamento en Seúl votó."
        ),
        ["KR"]
    );
    assert_eq!(
        places(
            "en",
            "Koreas trade warnings",
            "North Korea and South Korea exchanged threats across the border.",
        ),
        ["KP", "KR"]
    );
}

#[test]
fn spanish_abbreviations_for_the_united_states() {
    for headline in [
        "EE. UU. anuncia aranceles",
        "EE.UU. anuncia aranceles",
        "EEUU anuncia aranceles",
        "EU anuncia aranceles a México",
    ] {
        let p = places("es", headline, "La medida entra en vigor el lunes.");
        assert!(p.contains(&"US".to_owned()), "{headline}: {p:?}");
    }
    // `UE` is the European Union: no country.
    assert_eq!(
        places(
            "es",
            "La UE aprueba el presupuesto",
            "Los ministros votaron en la reunión."
        ),
        Vec::<String>::new()
    );
    // In English, EU is the European Union.
    assert_eq!(
        places("en", "EU approves budget", "Ministers voted on Tuesday."),
        Vec::<String>::new()
    );
    // "us" the pronoun is no country; "US" is.
    assert_eq!(
        places("en", "Tell us what you think", "Write to us."),
        Vec::<String>::new()
    );
    assert_eq!(
        places("en", "US jobs growth slows", "Hiring cooled."),
        ["US"]
    );
}

#[test]
fn mexico_only_where_it_means_the_country() {
    assert_eq!(
        places(
            "es",
            "Estados Unidos Mexicanos publica su presupuesto",
            "El documento oficial fue enviado al Congreso.",
        ),
        ["MX"]
    );
    assert_eq!(
        places(
            "en",
            "Wildfire spreads in New Mexico",
            "Crews fought the blaze as oil platforms in the Gulf of Mexico shut down for a storm.",
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        places(
            "en",
            "Mexico elects a president",
            "Voters in Mexico City queued."
        ),
        ["MX"]
    );
}

#[test]
fn editor_places_are_kept_whatever_the_finder_says() {
    let mut c = content("en", "Markets rally", "Stocks rose on Tuesday.", None);
    assert!(finder().places(&c).is_empty());
    c.editor_places = vec!["UY".into()];
    assert_eq!(finder().places(&c), ["UY"]);
}

#[test]
fn explain_names_the_words_and_where_they_stood() {
    let c = content("en", "Japan and Peru sign a deal", "Tokyo said so.", None);
    let s = finder().explain(&c);
    let jp = s.iter().find(|s| s.code == "JP").unwrap();
    assert!(jp.about);
    assert_eq!(jp.geonameid, 1861060);
    assert!(
        jp.evidence
            .iter()
            .any(|e| e.term == "Japan" && e.at == super::Where::Headline)
    );
}
