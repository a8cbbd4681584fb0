//! HTTP/1.1 framing of large bodies on one kept-alive connection, read byte by byte off the
//! socket: pipelined requests answered in order, a HEAD that carries no body, and a client that
//! does not read for a while (the server's socket buffer fills, writes go out in parts). Large
//! bodies take the vendored actix-http's direct vectored write (vendor/README.md), and renditions
//! go from their file with sendfile(2); these are the cases where getting either's accounting
//! wrong would corrupt the stream, or a full socket would leave the answer hanging.

use crate::helpers::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A feed large enough for the direct write (at least 16 KiB), as a path.
const BIG: &str = "/feeds/all.rss?limit=100";

/// One response read off `reader`: (status, head, body by Content-Length; none for a HEAD).
fn read_response(reader: &mut impl Read, head_request: bool) -> (u16, String, Vec<u8>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        reader
            .read_exact(&mut byte)
            .unwrap_or_else(|e| panic!("response head cut short after {head:?}: {e}"));
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a status line: {:?}", &head[..head.len().min(300)]));
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; if head_request { 0 } else { length }];
    reader.read_exact(&mut body).unwrap();
    (status, head, body)
}

fn connect(app: &TestApp) -> (TcpStream, String) {
    let host = app.address.strip_prefix("http://").unwrap().to_owned();
    let s = TcpStream::connect(&host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    (s, host)
}

#[test]
fn pipelined_large_bodies_and_a_head_arrive_whole_and_in_order() {
    let app = spawn_app();
    let expected = app.get(BIG).body.into_bytes();
    assert!(
        expected.len() > 16 * 1024,
        "the sample feed must be large enough to take the direct write ({} bytes)",
        expected.len()
    );
    let json = app.get("/feeds/all.json?limit=100").body.into_bytes();
    let (mut s, host) = connect(&app);
    let requests: Vec<(&str, &str)> = vec![
        ("GET", BIG),
        ("HEAD", BIG),
        ("GET", "/feeds/all.json?limit=100"),
        ("GET", "/healthz"),
        ("GET", BIG),
    ];
    let mut out = String::new();
    for (method, path) in &requests {
        out.push_str(&format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"));
    }
    s.write_all(out.as_bytes()).unwrap();
    for (method, path) in &requests {
        let (status, head, body) = read_response(&mut s, *method == "HEAD");
        assert_eq!(status, 200, "{method} {path}: {head}");
        match (*method, *path) {
            ("HEAD", _) => assert!(
                head.to_ascii_lowercase()
                    .contains(&format!("content-length: {}", expected.len())),
                "HEAD announces the GET's length: {head}"
            ),
            (_, BIG) => assert!(body == expected, "{method} {path}: body differs"),
            (_, "/healthz") => assert!(body.len() < 1024, "a small body stays small"),
            _ => assert!(body == json, "{method} {path}: body differs"),
        }
    }
    // Nothing follows the last answer: the HEAD carried no body bytes that would have shifted it.
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut rest = [0u8; 1];
    assert!(
        !matches!(s.read(&mut rest), Ok(n) if n > 0),
        "bytes after the last response"
    );
}

/// Each pipelined answer is framed by its own request: the one before a `Connection: close`
/// request keeps the connection open, an HTTP/1.1 request is answered in HTTP/1.1 even when an
/// HTTP/1.0 one follows it, and only the `close` request's answer closes.
#[test]
fn pipelined_answers_carry_their_own_request_version_and_connection() {
    let app = spawn_app();
    let expected = app.get(BIG).body.into_bytes();
    let (mut s, host) = connect(&app);
    let out = format!(
        "GET {BIG} HTTP/1.1\r\nHost: {host}\r\n\r\n\
         GET /healthz HTTP/1.0\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n\
         GET {BIG} HTTP/1.1\r\nHost: {host}\r\n\r\n\
         GET {BIG} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(out.as_bytes()).unwrap();
    let heads: Vec<String> = (0..4)
        .map(|i| {
            let (status, head, body) = read_response(&mut s, false);
            assert_eq!(status, 200, "answer {i}: {head}");
            if i != 1 {
                assert!(body == expected, "answer {i}: body differs");
            }
            head.to_ascii_lowercase()
        })
        .collect();
    for (i, version) in [
        (0, "http/1.1 "),
        (1, "http/1.0 "),
        (2, "http/1.1 "),
        (3, "http/1.1 "),
    ] {
        assert!(heads[i].starts_with(version), "answer {i}: {}", heads[i]);
    }
    for (i, head) in heads.iter().enumerate().take(3) {
        assert!(
            !head.contains("connection: close"),
            "answer {i} closes before the requests after it: {head}"
        );
    }
    // The last request asked to close: its answer says so, and the server closes.
    assert!(heads[3].contains("connection: close"), "{}", heads[3]);
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    assert!(
        rest.is_empty(),
        "{} bytes after the last answer",
        rest.len()
    );
}

#[test]
fn a_client_that_stops_reading_still_gets_every_byte() {
    let app = spawn_app();
    let expected = app.get(BIG).body.into_bytes();
    let (mut s, host) = connect(&app);
    // Forty large answers are far more than the socket buffers hold: the server's writes
    // stop part-way while the client sleeps, and resume from where they stopped.
    let n = 40;
    let one = format!("GET {BIG} HTTP/1.1\r\nHost: {host}\r\n\r\n");
    s.write_all(one.repeat(n).as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut reader = std::io::BufReader::with_capacity(1000, s);
    for i in 0..n {
        let (status, _, body) = read_response(&mut reader, false);
        assert_eq!(status, 200, "answer {i}");
        assert!(body == expected, "answer {i}: body differs");
        if i % 10 == 0 {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The largest seeded `web` rendition (well over 16 KiB: sent from its file): its path and
/// bytes.
fn a_large_rendition(app: &TestApp) -> (String, Vec<u8>) {
    let feed: serde_json::Value = serde_json::from_str(&app.get("/feeds/all.json").body).unwrap();
    let (path, bytes) = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["image"].as_str())
        .map(|url| {
            let path = format!("/{}", url.splitn(4, '/').nth(3).unwrap());
            let bytes = app.get_raw(&path, &[]).bytes;
            (path, bytes)
        })
        .max_by_key(|(_, bytes)| bytes.len())
        .expect("a sample story with a picture");
    assert!(bytes.len() > 100_000, "{path}: {} bytes", bytes.len());
    (path, bytes)
}

/// `wirefeed_media_sendfile_bytes_total`.
fn sent_from_files(app: &TestApp) -> u64 {
    let metrics = app.get("/metrics").body;
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("wirefeed_media_sendfile_bytes_total "))
        .and_then(|v| v.parse().ok())
        .expect("the sendfile counter")
}

#[test]
fn renditions_from_their_file_reach_a_slow_reader_whole_with_heads_and_ranges_between() {
    let app = spawn_app();
    let (path, expected) = a_large_rendition(&app);
    let before = sent_from_files(&app);
    let (mut s, host) = connect(&app);
    // A small receive buffer: the server's socket fills at once and sendfile would block.
    socket2::SockRef::from(&s)
        .set_recv_buffer_size(32 * 1024)
        .unwrap();
    // More than the server's socket buffer takes (4 MiB on Linux's loopback): sendfile
    // would block, and the answers must resume when the client reads.
    let n = 60;
    let mut text = String::new();
    for i in 0..n {
        let (method, range) = match i % 3 {
            0 => ("GET", ""),
            1 => ("HEAD", ""),
            _ => ("GET", "Range: bytes=1000-70999\r\n"),
        };
        text += &format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n{range}\r\n");
    }
    s.write_all(text.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut reader = std::io::BufReader::with_capacity(1000, s);
    for i in 0..n {
        let (status, head, body) = read_response(&mut reader, i % 3 == 1);
        match i % 3 {
            0 => assert!(status == 200 && body == expected, "answer {i}: {status}"),
            1 => assert!(
                status == 200
                    && body.is_empty()
                    && head.contains(&format!("content-length: {}", expected.len())),
                "answer {i} (HEAD): {head}"
            ),
            _ => assert!(
                status == 206 && body == expected[1000..71_000],
                "answer {i} (range): {status}"
            ),
        }
        if i % 4 == 0 {
            std::thread::sleep(Duration::from_millis(30));
        }
    }
    let sent = sent_from_files(&app) - before;
    let most = (n / 3) as u64 * (expected.len() as u64 + 70_000);
    assert!(
        sent > most / 2 && sent <= most,
        "{sent} bytes went from files; the GETs' bodies are {most}"
    );
}
