//! The vendored actix-http's HTTP/1 dispatcher (vendor/README.md) over a socket that accepts
//! writes in random pieces (1 byte to 1 MiB, or not at all): every run must put exactly the bytes
//! on the wire that an unlimited socket gets, and those bytes must be the right answers. A real
//! TCP socket almost never splits a response head, so `tests/api/wire.rs` cannot reach the
//! direct write's "socket took part of the head" branch; this does, hundreds of times.
//!
//! Beside that, the differential and negative cases: a socket without vectored writes (an
//! OpenSSL stream) must get the same bytes and never the head and body in one vectored call; a
//! body of at least `DIRECT_WRITE_MIN` (16 KiB) must reach the socket in one vectored write with
//! the head, uncopied, and one byte less must not; `Connection: close` and HTTP/1.0 must be framed
//! right and close the connection; a socket error mid-write must end the connection, with an
//! error and without another write.

use actix_http::body::{BoxBody, SizedStream};
use actix_http::{Error, HttpService, Request, Response};
use actix_service::{Service, ServiceFactory, fn_service};
use bytes::Bytes;
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The vendored dispatcher's `DIRECT_WRITE_MIN` (vendor/actix-http/src/h1/dispatcher.rs): body
/// chunks of at least this many bytes go to the socket directly.
const DIRECT_WRITE_MIN: usize = 16 * 1024;

/// What the socket saw.
#[derive(Default)]
struct Wire {
    bytes: Vec<u8>,
    /// Each `poll_write_vectored` call that took bytes: the lengths of its non-empty slices and
    /// how many bytes it took. Only the direct write calls it; the write buffer is flushed with
    /// `poll_write`.
    vectored: Vec<(Vec<usize>, usize)>,
    /// Bytes taken by `poll_write` (the write buffer).
    plain: usize,
    /// The socket has returned an error (`fail_at`); write calls after it.
    failed: bool,
    writes_after_failure: usize,
    /// `poll_shutdown` was called; write calls after it.
    shut_down: bool,
    writes_after_shutdown: usize,
}

/// A connection whose reads hand out the requests and whose writes take a random amount.
struct Socket {
    input: Vec<u8>,
    read: usize,
    wire: Rc<RefCell<Wire>>,
    /// xorshift state; 0 means every write is taken whole.
    rng: u64,
    /// False: `is_write_vectored()` is false and a vectored write takes only its first non-empty
    /// slice, as tokio's default `poll_write_vectored` does (an OpenSSL stream, for one).
    vectored: bool,
    /// After this many bytes every write fails.
    fail_at: Option<usize>,
}

impl Socket {
    /// How much the next write may take: None is "would block".
    fn budget(&mut self) -> Option<usize> {
        if self.rng == 0 {
            return Some(usize::MAX);
        }
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        if self.rng.is_multiple_of(4) {
            return None;
        }
        Some([1, 7, 100, 300, 3000, 20_000, 70_000, 1 << 20][(self.rng >> 8) as usize % 8])
    }

    fn write(&mut self, bufs: &[io::IoSlice<'_>], vectored_call: bool) -> Poll<io::Result<usize>> {
        {
            let mut wire = self.wire.borrow_mut();
            if wire.shut_down {
                wire.writes_after_shutdown += 1;
            }
            if wire.failed {
                wire.writes_after_failure += 1;
                return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
            }
            if self.fail_at == Some(wire.bytes.len()) {
                wire.failed = true;
                return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()));
            }
        }
        let Some(mut budget) = self.budget() else {
            return Poll::Pending;
        };
        let mut wire = self.wire.borrow_mut();
        if let Some(at) = self.fail_at {
            budget = budget.min(at - wire.bytes.len());
        }
        let slices: Vec<&[u8]> = bufs
            .iter()
            .map(|b| &b[..])
            .filter(|b| !b.is_empty())
            .collect();
        let taken = if self.vectored {
            &slices[..]
        } else {
            &slices[..slices.len().min(1)]
        };
        let mut n = 0;
        for b in taken {
            let k = budget.min(b.len());
            wire.bytes.extend_from_slice(&b[..k]);
            n += k;
            budget -= k;
            if budget == 0 {
                break;
            }
        }
        if vectored_call {
            wire.vectored
                .push((slices.iter().map(|b| b.len()).collect(), n));
        } else {
            wire.plain += n;
        }
        Poll::Ready(Ok(n))
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let left = self.input.len() - self.read;
        if left == 0 {
            return Poll::Pending;
        }
        let n = buf.remaining().min(left).min(37);
        let at = self.read;
        buf.put_slice(&self.input[at..at + n]);
        self.read += n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.write(&[io::IoSlice::new(buf)], false)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.write(bufs, true)
    }

    fn is_write_vectored(&self) -> bool {
        self.vectored
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.wire.borrow_mut().shut_down = true;
        Poll::Ready(Ok(()))
    }
}

/// `n` bytes of a pattern that never lines up with a 2^k boundary.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// `/big/N`: one N-byte body. `/chunks/N/K`: N bytes announced, sent in K-byte chunks.
/// `/over/N/M/K`: N announced, M sent in K-byte chunks (the encoder cuts it at N).
async fn answer(req: Request) -> Result<Response<BoxBody>, Error> {
    let parts: Vec<usize> = req
        .path()
        .split('/')
        .skip(2)
        .map(|p| p.parse().unwrap())
        .collect();
    let chunked = |announced: usize, sent: usize, k: usize| {
        let chunks: Vec<Result<Bytes, Error>> = pattern(sent)
            .chunks(k)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        BoxBody::new(SizedStream::new(
            announced as u64,
            futures_util::stream::iter(chunks),
        ))
    };
    let body = match req.path().split('/').nth(1) {
        Some("big") => BoxBody::new(Bytes::from(pattern(parts[0]))),
        Some("chunks") => chunked(parts[0], parts[0], parts[1]),
        Some("over") => chunked(parts[0], parts[1], parts[2]),
        _ => return Ok(Response::not_found().map_into_boxed_body()),
    };
    Ok(Response::ok().set_body(body))
}

/// How the socket behaves in one run.
#[derive(Clone, Copy, Debug)]
struct Io {
    /// Random partial writes from this seed; 0 takes every write whole.
    rng: u64,
    /// The dispatcher's write buffer size (`h1_write_buffer_size`), or actix's default.
    write_buffer: Option<usize>,
    vectored: bool,
    fail_at: Option<usize>,
}

const UNLIMITED: Io = Io {
    rng: 0,
    write_buffer: None,
    vectored: true,
    fail_at: None,
};

/// One connection, polled until it ends or has written nothing for 2,000 turns.
struct Run {
    /// Everything the server wrote, `Date` values blanked (same length, so prefixes compare).
    wire: Vec<u8>,
    seen: Wire,
    /// How the connection ended; None if it is still open.
    ended: Option<Result<(), String>>,
}

async fn serve(requests: &str, io: Io) -> Run {
    let wire = Rc::new(RefCell::new(Wire::default()));
    let socket = Socket {
        input: requests.as_bytes().to_vec(),
        read: 0,
        wire: wire.clone(),
        rng: io.rng,
        vectored: io.vectored,
        fail_at: io.fail_at,
    };
    let mut builder = HttpService::build();
    if let Some(size) = io.write_buffer {
        builder = builder.h1_write_buffer_size(size);
    }
    let service = builder
        .h1(fn_service(answer))
        .new_service(())
        .await
        .unwrap();
    let mut connection = Box::pin(service.call((socket, None)));
    let mut cx = Context::from_waker(Waker::noop());
    let (mut idle, mut seen, mut ended) = (0, 0, None);
    while idle < 2_000 {
        if let Poll::Ready(result) = connection.as_mut().poll(&mut cx) {
            ended = Some(result.map_err(|e| format!("{e:?}")));
            break;
        }
        let len = wire.borrow().bytes.len();
        if len == seen {
            idle += 1;
        } else {
            (idle, seen) = (0, len);
        }
        tokio::task::yield_now().await;
    }
    drop(connection);
    let mut seen = Rc::try_unwrap(wire).ok().unwrap().into_inner();
    // The Date header is the one thing that may differ between two runs.
    let mut wire = std::mem::take(&mut seen.bytes);
    let mut i = 0;
    while let Some(at) = wire[i..].windows(8).position(|w| w == b"\r\ndate: ") {
        i += at + 8;
        while i < wire.len() && wire[i] != b'\r' {
            wire[i] = b'-';
            i += 1;
        }
    }
    Run { wire, seen, ended }
}

/// One answer: its status line and head (lower-cased) and its body.
struct Answer {
    status: String,
    head: String,
    body: Vec<u8>,
}

/// The answers a correct server gives, in order; HEAD answers have no body.
fn answers(wire: &[u8], heads: &[bool]) -> Vec<Answer> {
    let mut at = 0;
    let mut found = Vec::new();
    for &head in heads {
        let end = at
            + wire[at..]
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .unwrap_or_else(|| panic!("answer {} has no complete head", found.len()));
        let text = String::from_utf8_lossy(&wire[at..end]).to_ascii_lowercase();
        let length: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .map_or(0, |v| v.trim().parse().unwrap());
        at = end + 4;
        let n = if head { 0 } else { length };
        found.push(Answer {
            status: text.lines().next().unwrap().to_owned(),
            body: wire[at..at + n].to_vec(),
            head: text,
        });
        at += n;
    }
    assert_eq!(at, wire.len(), "bytes after the last answer");
    found
}

/// Where `got` first differs from `want`, for messages.
fn first_difference(got: &[u8], want: &[u8]) -> usize {
    got.iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()))
}

/// (method, path, body length the answer must carry).
type Exchange = (&'static str, &'static str, usize);

const CASES: &[(&str, &[Exchange])] = &[
    (
        "pipelined bodies with HEADs between them",
        &[
            ("GET", "/big/70000", 70_000),
            ("HEAD", "/big/70000", 0),
            ("GET", "/big/20000", 20_000),
            ("HEAD", "/chunks/50000/17000", 0),
            ("GET", "/big/100", 100),
            ("GET", "/chunks/100000/30000", 100_000),
        ],
    ),
    (
        "streamed bodies in small and large chunks",
        &[
            ("GET", "/chunks/200000/16384", 200_000),
            ("GET", "/chunks/100000/1000", 100_000),
            ("GET", "/chunks/100000/33333", 100_000),
        ],
    ),
    (
        "bodies longer than announced are cut",
        &[
            ("GET", "/over/40000/100000/30000", 40_000),
            ("GET", "/over/20000/100000/100000", 20_000),
            ("GET", "/big/17", 17),
        ],
    ),
    (
        "a HEAD first",
        &[("HEAD", "/big/70000", 0), ("GET", "/big/70000", 70_000)],
    ),
];

/// Either side of `DIRECT_WRITE_MIN`, in the body and in what the encoder still expects.
const THRESHOLD: (&str, &[Exchange]) = (
    "bodies either side of the direct write's 16 KiB",
    &[
        ("GET", "/big/16383", 16_383),
        ("GET", "/big/16384", 16_384),
        ("HEAD", "/big/16384", 0),
        ("GET", "/chunks/32767/16384", 32_767),
        ("GET", "/chunks/32768/16383", 32_768),
        ("GET", "/over/16383/20000/20000", 16_383),
        ("GET", "/over/16384/20000/20000", 16_384),
        ("GET", "/big/16384", 16_384),
    ],
);

fn requests_of(exchanges: &[Exchange]) -> (String, Vec<bool>) {
    let text = exchanges
        .iter()
        .map(|(m, p, _)| format!("{m} {p} HTTP/1.1\r\nHost: x\r\n\r\n"))
        .collect();
    let heads = exchanges.iter().map(|(m, _, _)| *m == "HEAD").collect();
    (text, heads)
}

/// The bytes an unlimited vectored socket gets for `exchanges`, checked to be the right answers.
async fn reference(name: &str, exchanges: &[Exchange], write_buffer: Option<usize>) -> Vec<u8> {
    let (text, heads) = requests_of(exchanges);
    let run = serve(
        &text,
        Io {
            write_buffer,
            ..UNLIMITED
        },
    )
    .await;
    for (i, answer) in answers(&run.wire, &heads).iter().enumerate() {
        assert_eq!(answer.status, "http/1.1 200 ok", "{name}: answer {i}");
        assert!(
            answer.body == pattern(exchanges[i].2),
            "{name} (write buffer {write_buffer:?}): answer {i} has the wrong body"
        );
    }
    run.wire
}

/// Runs `exchanges` over sockets that take writes in random pieces (`vectored` or not) and over
/// an unlimited one: each must get exactly the unlimited vectored socket's (correct) bytes.
async fn same_bytes_as_unlimited(name: &str, exchanges: &[Exchange], vectored: bool, seeds: u64) {
    let (text, _) = requests_of(exchanges);
    for write_buffer in [None, Some(1), Some(200_000)] {
        let want = reference(name, exchanges, write_buffer).await;
        for seed in 0..seeds {
            let io = Io {
                rng: seed * 7919,
                write_buffer,
                vectored,
                fail_at: None,
            };
            let run = serve(&text, io).await;
            assert!(
                run.wire == want,
                "{name} ({io:?}): the wire differs from an unlimited vectored socket's at byte {} \
                 ({} bytes, want {})",
                first_difference(&run.wire, &want),
                run.wire.len(),
                want.len()
            );
            if !vectored {
                // Without writev the head and body must not be offered together: the socket
                // would write the head alone, one system call more for nothing.
                let joint = run
                    .seen
                    .vectored
                    .iter()
                    .filter(|(s, _)| s.len() > 1)
                    .count();
                assert_eq!(
                    joint, 0,
                    "{name} ({io:?}): a non-vectored socket got {joint} vectored writes of \
                     several slices"
                );
            }
        }
    }
}

#[actix_rt::test]
async fn random_partial_writes_put_the_same_correct_bytes_on_the_wire() {
    for (name, exchanges) in CASES {
        same_bytes_as_unlimited(name, exchanges, true, 40).await;
    }
}

#[actix_rt::test]
async fn a_socket_without_vectored_writes_gets_the_same_bytes() {
    for (name, exchanges) in CASES {
        same_bytes_as_unlimited(name, exchanges, false, 40).await;
    }
}

#[actix_rt::test]
async fn bodies_either_side_of_the_threshold_survive_random_partial_writes() {
    let (name, exchanges) = THRESHOLD;
    same_bytes_as_unlimited(name, exchanges, true, 40).await;
    same_bytes_as_unlimited(name, exchanges, false, 40).await;
}

/// The body slices `poll_write_vectored` was offered on an unlimited socket for one request, and
/// the bytes that went through `poll_write` (the write buffer).
async fn direct_writes(path: &str, vectored: bool) -> (Vec<usize>, usize, Run) {
    let text = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
    let run = serve(
        &text,
        Io {
            vectored,
            ..UNLIMITED
        },
    )
    .await;
    let bodies = run
        .seen
        .vectored
        .iter()
        .map(|(slices, taken)| {
            assert_eq!(
                *taken,
                slices.iter().sum::<usize>(),
                "{path}: an unlimited socket takes all"
            );
            *slices.last().unwrap()
        })
        .collect();
    (bodies, run.seen.plain, run)
}

#[actix_rt::test]
async fn a_large_body_goes_to_the_socket_with_the_head_in_one_vectored_write() {
    let (bodies, plain, run) = direct_writes("/big/70000", true).await;
    let head = run.wire.len() - 70_000;
    assert_eq!(
        run.seen.vectored,
        [(vec![head, 70_000], head + 70_000)],
        "the head and the 70,000-byte body must go out in one vectored write, the body uncopied"
    );
    assert_eq!(
        (bodies, plain),
        (vec![70_000], 0),
        "nothing through the write buffer"
    );
    let answer = &answers(&run.wire, &[false])[0];
    assert!(answer.body == pattern(70_000));

    // Without writev the head is buffered, so the body is too (the old path), ...
    let (bodies, plain, run) = direct_writes("/big/70000", false).await;
    assert_eq!(
        (bodies, plain),
        (vec![], run.wire.len()),
        "non-vectored /big/70000"
    );
    // ... but a later large chunk, with nothing buffered before it, still goes out directly.
    let (bodies, _, _) = direct_writes("/chunks/200000/50000", false).await;
    assert!(
        !bodies.is_empty() && bodies.iter().all(|&n| n == 50_000),
        "non-vectored /chunks/200000/50000: direct writes {bodies:?}"
    );
}

#[actix_rt::test]
async fn the_direct_write_starts_at_exactly_16_kib() {
    let below = DIRECT_WRITE_MIN - 1;
    for (path, want) in [
        (format!("/big/{below}"), vec![]),
        (format!("/big/{DIRECT_WRITE_MIN}"), vec![DIRECT_WRITE_MIN]),
        // The first chunk goes out directly, the second (one byte short) is buffered.
        (
            format!("/chunks/{}/{DIRECT_WRITE_MIN}", DIRECT_WRITE_MIN + below),
            vec![DIRECT_WRITE_MIN],
        ),
        // What counts is what the encoder still expects, not the chunk's size.
        (format!("/over/{below}/20000/20000"), vec![]),
        (
            format!("/over/{DIRECT_WRITE_MIN}/20000/20000"),
            vec![DIRECT_WRITE_MIN],
        ),
    ] {
        let (bodies, _, run) = direct_writes(&path, true).await;
        assert_eq!(bodies, want, "{path}: the body slices written directly");
        let n = run.wire.len() - answers(&run.wire, &[false])[0].body.len();
        assert!(n < 200, "{path}: a head of {n} bytes");
    }
}

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

#[actix_rt::test]
async fn a_socket_error_mid_write_ends_the_connection_without_another_write() {
    let exchanges: &[Exchange] = &[
        ("GET", "/big/70000", 70_000),
        ("GET", "/big/100", 100),
        ("HEAD", "/big/20000", 0),
        ("GET", "/chunks/100000/30000", 100_000),
        ("GET", "/chunks/50000/1000", 50_000),
    ];
    let (text, _) = requests_of(exchanges);
    let want = reference("error mid-write", exchanges, None).await;
    let head = want.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut cuts = vec![0, 1, 10, head / 2, head, head + 1, 16_384, 50_000, 70_000];
    let mut x = 12345u64;
    for _ in 0..12 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        cuts.push((x >> 33) as usize % want.len());
    }
    cuts.push(want.len() - 1);
    for vectored in [true, false] {
        for &fail_at in &cuts {
            for seed in [0, 3, 17, 101] {
                let io = Io {
                    rng: seed * 7919,
                    write_buffer: None,
                    vectored,
                    fail_at: Some(fail_at),
                };
                let run = serve(&text, io).await;
                assert!(
                    matches!(run.ended, Some(Err(_))),
                    "{io:?}: the connection must end with an error, not {:?}",
                    run.ended
                );
                assert!(run.seen.failed, "{io:?}: the socket never failed");
                assert_eq!(
                    run.seen.writes_after_failure, 0,
                    "{io:?}: wrote after the error"
                );
                assert!(
                    run.wire[..] == want[..fail_at],
                    "{io:?}: the {} bytes before the error differ from an unlimited socket's at \
                     byte {}",
                    run.wire.len(),
                    first_difference(&run.wire, &want)
                );
            }
        }
    }
}
