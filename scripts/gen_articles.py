#!/usr/bin/env python3
"""Writes N synthetic wire articles as JSON lines (for benchmarks; fixed seed, invented text).

usage: gen_articles.py N OUT.jsonl
"""
import json
import random
import sys
from datetime import datetime, timedelta, timezone

N = int(sys.argv[1])
OUT = sys.argv[2]
rnd = random.Random(20261129)
# Places (editor `places`) from a generator of their own, so the other fields stay what they were
# before places existed: a third of stories about no country, common countries often, a few rare
# ones (for `?country=` benchmarks: FR is 0.2 % of stories), a tenth about two.
prnd = random.Random(20261206)
COUNTRIES = [("US", 30), ("MX", 20), ("GT", 10), ("HN", 6), ("SV", 5), ("CO", 4), ("ES", 3), ("CN", 2), ("FR", 0.3)]


def places():
    if prnd.random() < 0.33:
        return []
    codes, weights = zip(*COUNTRIES)
    k = 2 if prnd.random() < 0.1 else 1
    return sorted(set(prnd.choices(codes, weights, k=k)))

PLACES = ["Valdor City", "Port Ellery", "Kessel", "Arnavo", "San Telmo", "Lussan", "Brenholm"]
SUBJECTS = {
    "en": [
        "Police arrested {n} suspected gang members in {p} after a drug trafficking investigation.",
        "Asylum seekers and migrants reached the reception centre in {p}, officials said.",
        "The foreign minister met the ambassador of Marennia in {p} to discuss a bilateral treaty.",
        "The central bank kept interest rates unchanged as inflation eased to {n} percent.",
        "Heavy rain is expected in {p} over the weekend, the weather service said.",
        "The national football team beat Ostrava {n}-1 in a friendly match in {p}.",
    ],
    "es": [
        "La policía detuvo a {n} presuntos pandilleros en {p} tras una investigación por narcotráfico.",
        "Solicitantes de asilo y migrantes llegaron al centro de acogida de {p}, dijeron las autoridades.",
        "El canciller recibió en {p} al embajador de Marennia para negociar un tratado bilateral.",
        "El banco central mantuvo los tipos de interés mientras la inflación bajó al {n} por ciento.",
        "Se esperan fuertes lluvias en {p} durante el fin de semana, informó el servicio meteorológico.",
        "La selección nacional venció {n}-1 a Ostrava en un amistoso disputado en {p}.",
    ],
}
FILLER = {
    "en": "Officials gave no further details. The ministry said a statement would follow later in the week, and local reporters were told to expect more figures.",
    "es": "Las autoridades no dieron más detalles. El ministerio dijo que publicará un comunicado a lo largo de la semana con nuevas cifras.",
}

start = datetime(2024, 11, 1, tzinfo=timezone.utc)
span = int((datetime(2026, 11, 28, tzinfo=timezone.utc) - start).total_seconds())
with open(OUT, "w", encoding="utf-8") as out:
    for i in range(N):
        lang = "es" if rnd.random() < 0.55 else "en"
        place = rnd.choice(PLACES)
        lead = rnd.choice(SUBJECTS[lang]).format(n=rnd.randint(2, 60), p=place)
        second = rnd.choice(SUBJECTS[lang]).format(n=rnd.randint(2, 60), p=rnd.choice(PLACES))
        when = start + timedelta(seconds=rnd.randrange(span))
        article = {
            "id": f"bench-{i:07d}",
            "headline": lead.split(",")[0][:120],
            "summary": lead,
            "body": f"{place.upper()} (ANV) - {lead}\n\n{second}\n\n{FILLER[lang]}\n\n{FILLER[lang]}",
            "language": lang,
            "byline": [rnd.choice(["Lucía Ferrer", "Tom Hale", "Ana Ruiz", "Marta Quiroga"])],
            "dateline": place,
            "published_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "places": places(),
        }
        out.write(json.dumps(article, ensure_ascii=False))
        out.write("\n")
