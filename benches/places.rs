//! Place finding and topic classification together, on one core: `cargo bench --bench places`.
//!
//! Target (issue 24): at least 10,000 articles per second per core for both. Articles are the
//! labelled topic corpus and the sample wire stories (invented states), plus stories of our own
//! naming real countries, repeated; each is read from its text (folding included).

mod common;

use std::path::Path;
use std::time::Instant;
use wirefeed::classify::Classifier;
use wirefeed::config::Config;
use wirefeed::places::Places;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(&root.join("feeds.toml")).expect("feeds.toml loads");
    let mut articles = common::corpus(root, &config);
    // Real countries, so the finder's scoring and context rules run, not only its automaton.
    let real = [
        (
            "en",
            "Japan and Peru sign a trade deal in Lima",
            "TOKYO, Dec 3 - Japanese and Peruvian ministers met. The United States watched. North Korea fired a missile the same day, and Seoul protested.",
        ),
        (
            "es",
            "EE. UU. y México acuerdan medidas en la frontera",
            "CIUDAD DE MÉXICO, 4 dic – Los gobiernos de Estados Unidos y México firmaron. Guatemala y Honduras enviaron observadores; el chile y el mercado dominical siguieron igual.",
        ),
    ];
    for (lang, headline, body) in real {
        let mut c = articles[0].clone();
        c.language = lang.into();
        c.headline = headline.into();
        c.body = body.repeat(4);
        c.summary = None;
        articles.push(c);
    }
    let start = Instant::now();
    let places = Places::shipped();
    println!(
        "compile the place table: {:.2} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let classifier = Classifier::load(&config).expect("rules and the model load");
    let rounds = 200;
    let n = rounds * articles.len();
    let mut seen = 0usize;
    let start = Instant::now();
    for _ in 0..rounds {
        for a in &articles {
            seen += places.places(std::hint::black_box(a)).len();
        }
    }
    let alone = start.elapsed().as_secs_f64();
    println!(
        "places alone: {:.1} µs per article ({seen} places)",
        alone * 1e6 / n as f64
    );
    let start = Instant::now();
    for _ in 0..rounds {
        for a in &articles {
            let a = std::hint::black_box(a);
            std::hint::black_box((classifier.topics(a), places.places(a)));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "places + classification: {n} articles in {secs:.2} s = {:.0} articles/s on one core",
        n as f64 / secs
    );
}
