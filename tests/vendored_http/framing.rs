//! Each pipelined answer framed by its own request: `Connection: close` and HTTP/1.0.

use super::*;

/// (name, request text, answers as (HTTP version, answers a HEAD, body length, `connection:`
/// header or "")).
type Framed = (
    &'static str,
    &'static str,
    &'static [(&'static str, bool, usize, &'static str)],
);

// Each closing request is the last one sent: the dispatcher answers requests pipelined after it
// (vendor/README.md, "Reviewed, and left alone"). The service answers at once, so the first
// request is answered before the next is decoded; the later ones are queued and answered after
// the codec has decoded the closing request, so their framing must not be taken from it.
const CLOSING: &[Framed] = &[
    (
        "Connection: close",
        "GET /big/70000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        &[("1.1", false, 70_000, "close")],
    ),
    (
        "Connection: close after pipelined answers",
        "GET /big/20000 HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /chunks/100000/30000 HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /big/16384 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        &[
            ("1.1", false, 20_000, ""),
            ("1.1", false, 100_000, ""),
            ("1.1", false, 16_384, "close"),
        ],
    ),
    (
        "a HEAD between a GET and a HEAD with Connection: close",
        "GET /big/70000 HTTP/1.1\r\nHost: x\r\n\r\n\
         HEAD /big/70000 HTTP/1.1\r\nHost: x\r\n\r\n\
         HEAD /big/20000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        &[
            ("1.1", false, 70_000, ""),
            ("1.1", true, 0, ""),
            ("1.1", true, 0, "close"),
        ],
    ),
    (
        "a GET between a HEAD and a GET with Connection: close",
        "HEAD /big/70000 HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /big/20000 HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /big/300 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        &[
            ("1.1", true, 0, ""),
            ("1.1", false, 20_000, ""),
            ("1.1", false, 300, "close"),
        ],
    ),
    (
        "HTTP/1.0",
        "GET /big/70000 HTTP/1.0\r\n\r\n",
        &[("1.0", false, 70_000, "")],
    ),
    (
        "HTTP/1.0 keep-alive, then HTTP/1.0",
        "GET /big/16384 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n\
         GET /big/100 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n\
         GET /big/16383 HTTP/1.0\r\n\r\n",
        &[
            ("1.0", false, 16_384, "keep-alive"),
            ("1.0", false, 100, "keep-alive"),
            ("1.0", false, 16_383, ""),
        ],
    ),
    (
        "HTTP/1.1, then HTTP/1.0",
        "GET /big/50000 HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /big/100 HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /chunks/40000/20000 HTTP/1.0\r\n\r\n",
        &[
            ("1.1", false, 50_000, ""),
            ("1.1", false, 100, ""),
            ("1.0", false, 40_000, ""),
        ],
    ),
];

#[actix_rt::test]
async fn connection_close_and_http_1_0_are_framed_and_close_under_random_partial_writes() {
    for &(name, text, want) in CLOSING {
        let heads: Vec<bool> = want.iter().map(|a| a.1).collect();
        let mut reference = None;
        for vectored in [true, false] {
            for seed in 0..40u64 {
                let io = Io {
                    rng: seed * 7919,
                    vectored,
                    ..UNLIMITED
                };
                let run = serve(text, io).await;
                assert_eq!(
                    run.ended,
                    Some(Ok(())),
                    "{name} ({io:?}): the connection must close"
                );
                assert!(
                    run.seen.shut_down,
                    "{name} ({io:?}): the socket was not shut down"
                );
                assert_eq!(
                    run.seen.writes_after_shutdown, 0,
                    "{name} ({io:?}): wrote after shutdown"
                );
                let reference = reference.get_or_insert_with(|| run.wire.clone());
                assert!(
                    run.wire == *reference,
                    "{name} ({io:?}): the wire differs from an unlimited socket's at byte {}",
                    first_difference(&run.wire, reference)
                );
            }
        }
        let reference = reference.unwrap();
        let found = answers(&reference, &heads);
        assert_eq!(found.len(), want.len());
        for (i, (answer, &(version, _, length, connection))) in found.iter().zip(want).enumerate() {
            assert_eq!(
                answer.status,
                format!("http/{version} 200 ok"),
                "{name}: answer {i}"
            );
            assert!(
                answer.body == pattern(length),
                "{name}: answer {i} has the wrong body"
            );
            let header = answer
                .head
                .lines()
                .find_map(|l| l.strip_prefix("connection: "))
                .unwrap_or("");
            assert_eq!(header, connection, "{name}: answer {i}'s connection header");
        }
    }
}
