//! Words that name a country but are not a place: products and past wars named after one,
//! demonyms that are also common words, and languages. Each negative beside its control.

use super::places;

#[test]
fn products_and_past_wars_named_after_a_country_place_nothing() {
    assert_eq!(
        places(
            "en",
            "Vendors sell Panama hats and Brazil nuts",
            "The market also offered Jordan almonds. Veterans of the Korean War attended.",
        ),
        Vec::<String>::new()
    );
    // Control: the countries themselves.
    assert_eq!(
        places(
            "en",
            "Panama and Brazil sign a trade deal",
            "Panama will buy Brazilian grain."
        ),
        ["BR", "PA"]
    );
}

#[test]
fn demonyms_that_are_common_words() {
    assert_eq!(
        places(
            "en",
            "Families prepare the turkey",
            "Shoppers bought turkey, fine china and chile peppers, with french fries on the side.",
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        places(
            "en",
            "Turkey and China sign trade deal",
            "Turkey will export more to China under the deal.",
        ),
        ["CN", "TR"]
    );
    assert_eq!(
        places(
            "es",
            "Sube el precio del chile",
            "El chile serrano cuesta más en los mercados."
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        places(
            "es",
            "Chile vota su nueva constitución",
            "Los chilenos acudieron a las urnas."
        ),
        ["CL"]
    );
}

#[test]
fn a_language_named_after_a_country_places_nothing() {
    // The control: the adjective of the state is a place.
    assert_eq!(
        places(
            "es",
            "El Gobierno español aprueba el plan",
            "Los ministros españoles firmaron el acuerdo."
        ),
        ["ES"]
    );
    assert_eq!(
        places(
            "es",
            "Crece la demanda de clases de español en Tokio",
            "Las academias japonesas registran más alumnos que quieren aprender español y cursos de español para empresas."
        ),
        ["JP"]
    );
    assert_eq!(
        places(
            "es",
            "El manual se publica en francés y en alemán",
            "La guía, escrita en francés, llegará a las librerías."
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        places(
            "en",
            "German navy patrols the Baltic",
            "German ships joined the patrol."
        ),
        ["DE"]
    );
    assert_eq!(
        places(
            "en",
            "Schools in Kenya add Chinese lessons",
            "More pupils learn Chinese, and Chinese speakers teach the classes in Nairobi."
        ),
        ["KE"]
    );
}
