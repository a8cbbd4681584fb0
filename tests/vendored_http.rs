//! The vendored actix-http's HTTP/1 dispatcher (vendor/README.md) over a socket that accepts
//! writes in random pieces (1 byte to 1 MiB, or not at all): every run must put exactly the bytes
//! on the wire that an unlimited socket gets, and those bytes must be the right answers. A real
//! TCP socket almost never splits a response head, so `tests/api/wire.rs` cannot reach the
//! direct write's "socket took part of the head" branch; this does, hundreds of times.

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

/// A connection whose reads hand out the requests and whose writes take a random amount.
struct Socket {
    input: Vec<u8>,
    read: usize,
    out: Rc<RefCell<Vec<u8>>>,
    /// xorshift state; 0 means every write is taken whole.
    rng: u64,
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
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored(cx, &[io::IoSlice::new(buf)])
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let Some(mut budget) = self.budget() else {
            return Poll::Pending;
        };
        let mut out = self.out.borrow_mut();
        let mut n = 0;
        for b in bufs {
            let k = budget.min(b.len());
            out.extend_from_slice(&b[..k]);
            n += k;
            budget -= k;
            if budget == 0 {
                break;
            }
        }
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
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

/// Everything the server wrote for `requests`, with `Date` values blanked.
async fn serve(requests: &str, rng: u64, write_buffer: Option<usize>) -> Vec<u8> {
    let out = Rc::new(RefCell::new(Vec::new()));
    let socket = Socket {
        input: requests.as_bytes().to_vec(),
        read: 0,
        out: out.clone(),
        rng,
    };
    let mut builder = HttpService::build();
    if let Some(size) = write_buffer {
        builder = builder.h1_write_buffer_size(size);
    }
    let service = builder
        .h1(fn_service(answer))
        .new_service(())
        .await
        .unwrap();
    let mut connection = Box::pin(service.call((socket, None)));
    let mut cx = Context::from_waker(Waker::noop());
    let (mut idle, mut seen) = (0, 0);
    while idle < 2_000 {
        if connection.as_mut().poll(&mut cx).is_ready() {
            break;
        }
        let len = out.borrow().len();
        if len == seen {
            idle += 1;
        } else {
            (idle, seen) = (0, len);
        }
        tokio::task::yield_now().await;
    }
    // The Date header is the one thing that may differ between two runs.
    let wire = out.borrow();
    let mut blanked = Vec::with_capacity(wire.len());
    let mut i = 0;
    while i < wire.len() {
        if wire[i..].starts_with(b"\r\ndate: ") {
            blanked.extend_from_slice(b"\r\ndate: -");
            i += 8;
            while i < wire.len() && wire[i] != b'\r' {
                i += 1;
            }
        } else {
            blanked.push(wire[i]);
            i += 1;
        }
    }
    blanked
}

/// The answers a correct server gives: (status line, body) in order; HEAD answers have no body.
fn answers(wire: &[u8], heads: &[bool]) -> Vec<(String, Vec<u8>)> {
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
        found.push((
            text.lines().next().unwrap().to_owned(),
            wire[at..at + n].to_vec(),
        ));
        at += n;
    }
    assert_eq!(at, wire.len(), "bytes after the last answer");
    found
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

#[actix_rt::test]
async fn random_partial_writes_put_the_same_correct_bytes_on_the_wire() {
    for (name, requests) in CASES {
        let text: String = requests
            .iter()
            .map(|(m, p, _)| format!("{m} {p} HTTP/1.1\r\nHost: x\r\n\r\n"))
            .collect();
        let heads: Vec<bool> = requests.iter().map(|(m, _, _)| *m == "HEAD").collect();
        for write_buffer in [None, Some(1), Some(200_000)] {
            let reference = serve(&text, 0, write_buffer).await;
            for (i, (status, body)) in answers(&reference, &heads).iter().enumerate() {
                assert_eq!(status, "http/1.1 200 ok", "{name}: answer {i}");
                assert!(
                    *body == pattern(requests[i].2),
                    "{name} (write buffer {write_buffer:?}): answer {i} has the wrong body"
                );
            }
            for seed in 1..40u64 {
                let got = serve(&text, seed * 7919, write_buffer).await;
                assert!(
                    got == reference,
                    "{name} (write buffer {write_buffer:?}, seed {seed}): the wire differs from \
                     an unlimited socket's at byte {}",
                    got.iter()
                        .zip(&reference)
                        .position(|(a, b)| a != b)
                        .unwrap_or(got.len().min(reference.len()))
                );
            }
        }
    }
}
