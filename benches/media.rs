//! Renditions of one picture: `cargo bench --bench media -- FILE [RUNS]`.
//!
//! Times the whole upload pipeline on one thread (checks, decoding, orientation, sRGB,
//! thumbnail/web/large/original, metadata written in, files written to a temporary media
//! folder), as a worker does it; prints the median and the best of RUNS (default 7).
//! `scripts/bench_media.sh` runs it on a 24-megapixel JPEG beside `vipsthumbnail`.

use std::time::Instant;
use wirefeed::config::MediaSettings;
use wirefeed::media::{Kind, Media};
use wirefeed::model::PictureMeta;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(file) = args.first() else {
        eprintln!("usage: cargo bench --bench media -- FILE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(7);
    let bytes = std::fs::read(file).expect("the picture file reads");
    let kind = Kind::sniff(&bytes).expect("a JPEG, PNG or WebP");
    let dir = std::env::temp_dir().join(format!("wirefeed-bench-media-{}", std::process::id()));
    let settings = MediaSettings {
        dir: None,
        max_upload_bytes: 1 << 30,
        max_pixels: 100_000_000,
        keep_gps: false,
        workers: 1,
        quality: 85,
    };
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&dir);
        let media = Media::new(&settings, dir.clone());
        let t = Instant::now();
        let done = media
            .process_now(&bytes, kind, &PictureMeta::default())
            .expect("the picture processes");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(done.renditions.len(), 4);
    }
    let _ = std::fs::remove_dir_all(&dir);
    times.sort_by(f64::total_cmp);
    println!(
        "renditions of {file}: median {:.0} ms, best {:.0} ms ({runs} runs, one thread)",
        times[runs / 2],
        times[0]
    );
}
