//! The words of the alert pages and mails, in Spanish and English.

use crate::pages::Ui;

/// A label in `ui`'s language.
pub(super) fn t(ui: Ui, key: &str) -> &'static str {
    let (es, en) = match key {
        "title" => ("Alertas por correo", "Email alerts"),
        "intro" => (
            "Reciba por correo las noticias de los temas y países que sigue: al publicarse, o en un resumen diario o semanal.",
            "Get the stories on the topics and countries you follow by email: as they are published, or in a daily or weekly digest.",
        ),
        "email" => ("Correo electrónico", "Email address"),
        "topics" => ("Temas", "Topics"),
        "topics_hint" => (
            "Ninguno marcado: todos los temas.",
            "None ticked: every topic.",
        ),
        "countries" => ("Países", "Countries"),
        "countries_hint" => (
            "Ninguno elegido: cualquier país. Mantenga pulsada Ctrl (⌘ en Mac) para elegir varios.",
            "None chosen: any country. Hold Ctrl (⌘ on a Mac) to choose several.",
        ),
        "language" => ("Idioma de las noticias", "Language of the stories"),
        "any_language" => ("Cualquiera", "Any"),
        "q" => ("Búsqueda guardada (opcional)", "Saved search (optional)"),
        "frequency" => ("Frecuencia", "How often"),
        "immediate" => ("Al publicarse", "As published"),
        "daily" => ("Resumen diario", "Daily digest"),
        "weekly" => ("Resumen semanal", "Weekly digest"),
        "key" => (
            "Clave de suscriptor (opcional, para noticias restringidas)",
            "Subscriber key (optional, for restricted stories)",
        ),
        "subscribe" => ("Suscribirse", "Subscribe"),
        "save" => ("Guardar cambios", "Save changes"),
        "accepted_title" => ("Revise su correo", "Check your inbox"),
        "accepted" => (
            "Si la dirección es válida, le hemos enviado un correo con un enlace para confirmar la suscripción. El enlace caduca en 48 horas.",
            "If the address is valid, we have sent it an email with a link to confirm the subscription. The link expires in 48 hours.",
        ),
        "manage_title" => ("Su suscripción", "Your subscription"),
        "confirmed" => ("Suscripción confirmada.", "Subscription confirmed."),
        "saved" => ("Cambios guardados.", "Changes saved."),
        "suspended" => (
            "Esta suscripción está suspendida porque los correos no se pudieron entregar. Guarde los cambios para reanudarla.",
            "This subscription is suspended because mail could not be delivered. Save changes to resume it.",
        ),
        "unsubscribe" => ("Darse de baja", "Unsubscribe"),
        "unsubscribe_ask" => (
            "¿Dejar de recibir estas alertas?",
            "Stop receiving these alerts?",
        ),
        "unsubscribed_title" => ("Baja confirmada", "Unsubscribed"),
        "unsubscribed" => (
            "No recibirá más correos de esta suscripción.",
            "You will receive no more mail from this subscription.",
        ),
        "alerts_link" => ("Alertas por correo", "Email alerts"),
        "confirm_subject" => ("Confirme su suscripción", "Confirm your subscription"),
        "confirm_body" => (
            "Alguien (seguramente usted) pidió alertas por correo a esta dirección. Para confirmarlo, abra este enlace:",
            "Someone (probably you) asked for email alerts at this address. To confirm, open this link:",
        ),
        "confirm_ignore" => (
            "Si no fue usted, no haga nada: sin confirmación no recibirá nada y la petición caduca en 48 horas.",
            "If it was not you, do nothing: without confirmation you will get nothing and the request expires in 48 hours.",
        ),
        "confirm_button" => ("Confirmar la suscripción", "Confirm the subscription"),
        "correction" => ("Corrección", "Correction"),
        "kill" => ("RETIRADA", "KILL"),
        "kill_body" => (
            "Esta noticia ha sido retirada. No la publique; si ya la publicó, retírela.",
            "This story has been killed. Do not publish it; if you have, take it down.",
        ),
        "reason" => ("Motivo", "Reason"),
        "urgent" => ("URGENTE", "URGENT"),
        "daily_subject" => ("Resumen diario", "Daily digest"),
        "weekly_subject" => ("Resumen semanal", "Weekly digest"),
        "stories" => ("noticias", "stories"),
        "picture" => ("Imagen", "Picture"),
        "read" => ("Leer la noticia", "Read the story"),
        "manage" => ("Gestionar la suscripción", "Manage the subscription"),
        "why" => (
            "Recibe este correo porque se suscribió a alertas de",
            "You receive this mail because you subscribed to alerts from",
        ),
        _ => ("", ""),
    };
    match ui {
        Ui::Es => es,
        Ui::En => en,
    }
}
