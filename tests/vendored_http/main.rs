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
use actix_http::{Error, Extensions, HttpService, Request, Response};
use actix_service::{Service, ServiceFactory, fn_service};
use bytes::Bytes;
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

mod framing;
mod send_file;
mod writes;

/// The vendored dispatcher's `DIRECT_WRITE_MIN` (vendor/actix-http/src/h1/dispatcher.rs): body
/// chunks of at least this many bytes go to the socket directly.
const DIRECT_WRITE_MIN: usize = 16 * 1024;

/// What the socket saw, and how it behaves.
#[derive(Default)]
struct Wire {
    bytes: Vec<u8>,
    /// Each `poll_write_vectored` call that took bytes: the lengths of its non-empty slices and
    /// how many bytes it took. Only the direct write calls it; the write buffer is flushed with
    /// `poll_write`.
    vectored: Vec<(Vec<usize>, usize)>,
    /// Bytes taken by `poll_write` (the write buffer).
    plain: usize,
    /// Bytes sent from a body's file (`BodyFile`, send_file.rs), and sent before one (its head).
    from_file: usize,
    before_file: usize,
    /// `SendFile::finished` calls (the file is done with: sent, or left to memory).
    files_finished: usize,
    /// The socket has returned an error (`fail_at`); write calls after it.
    failed: bool,
    writes_after_failure: usize,
    /// `poll_shutdown` was called; write calls after it.
    shut_down: bool,
    writes_after_shutdown: usize,
    /// xorshift state; 0 means every write is taken whole.
    rng: u64,
    /// After this many bytes every write fails.
    fail_at: Option<usize>,
}

/// Which call wrote.
#[derive(Clone, Copy, PartialEq)]
enum Call {
    Plain,
    Vectored,
    /// `SendFile::send`, and `SendFile::send_head`.
    File,
    BeforeFile,
}

impl Wire {
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

    /// Takes a random part of `slices` (the first only, unless `vectored`).
    fn write(&mut self, slices: &[&[u8]], vectored: bool, call: Call) -> Poll<io::Result<usize>> {
        if self.shut_down {
            self.writes_after_shutdown += 1;
        }
        if self.failed {
            self.writes_after_failure += 1;
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        if self.fail_at == Some(self.bytes.len()) {
            self.failed = true;
            return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()));
        }
        let Some(mut budget) = self.budget() else {
            return Poll::Pending;
        };
        if let Some(at) = self.fail_at {
            budget = budget.min(at - self.bytes.len());
        }
        let slices: Vec<&[u8]> = slices.iter().copied().filter(|b| !b.is_empty()).collect();
        let taken = if vectored {
            &slices[..]
        } else {
            &slices[..slices.len().min(1)]
        };
        let mut n = 0;
        for b in taken {
            let k = budget.min(b.len());
            self.bytes.extend_from_slice(&b[..k]);
            n += k;
            budget -= k;
            if budget == 0 {
                break;
            }
        }
        match call {
            Call::Vectored => self
                .vectored
                .push((slices.iter().map(|b| b.len()).collect(), n)),
            Call::Plain => self.plain += n,
            Call::File => self.from_file += n,
            Call::BeforeFile => self.before_file += n,
        }
        Poll::Ready(Ok(n))
    }
}

/// A connection whose reads hand out the requests and whose writes take a random amount.
struct Socket {
    input: Vec<u8>,
    read: usize,
    wire: Rc<RefCell<Wire>>,
    /// False: `is_write_vectored()` is false and a vectored write takes only its first non-empty
    /// slice, as tokio's default `poll_write_vectored` does (an OpenSSL stream, for one).
    vectored: bool,
}

impl Socket {
    fn write(&mut self, bufs: &[io::IoSlice<'_>], vectored_call: bool) -> Poll<io::Result<usize>> {
        let slices: Vec<&[u8]> = bufs.iter().map(|b| &b[..]).collect();
        let call = if vectored_call {
            Call::Vectored
        } else {
            Call::Plain
        };
        self.wire.borrow_mut().write(&slices, self.vectored, call)
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
        Some("file") => {
            let mut res = Response::ok().set_body(BoxBody::new(Bytes::from(pattern(parts[0]))));
            res.extensions_mut()
                .insert(send_file::body_file(parts[0] as u64));
            return Ok(res);
        }
        Some("chunks") => chunked(parts[0], parts[0], parts[1]),
        Some("over") => chunked(parts[0], parts[1], parts[2]),
        _ => return Ok(Response::not_found().map_into_boxed_body()),
    };
    Ok(Response::ok().set_body(body))
}

/// How the socket behaves in one run.
#[derive(Clone, Copy, Debug)]
struct Io {
    /// Whether (and how) a body's file can send to the connection (send_file.rs).
    file: send_file::Mode,
    /// Random partial writes from this seed; 0 takes every write whole.
    rng: u64,
    /// The dispatcher's write buffer size (`h1_write_buffer_size`), or actix's default.
    write_buffer: Option<usize>,
    vectored: bool,
    fail_at: Option<usize>,
}

const UNLIMITED: Io = Io {
    file: send_file::Mode::Off,
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
    let wire = Rc::new(RefCell::new(Wire {
        rng: io.rng,
        fail_at: io.fail_at,
        ..Wire::default()
    }));
    let socket = Socket {
        input: requests.as_bytes().to_vec(),
        read: 0,
        wire: wire.clone(),
        vectored: io.vectored,
    };
    let mut builder = HttpService::build();
    if let Some(size) = io.write_buffer {
        builder = builder.h1_write_buffer_size(size);
    }
    if io.file != send_file::Mode::Off {
        let (wire, mode) = (wire.clone(), io.file);
        builder = builder.on_connect_ext(move |_: &Socket, data: &mut Extensions| {
            data.insert(send_file::Connection {
                wire: wire.clone(),
                mode,
            });
        });
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
    // The service's on-connect function holds the wire too.
    drop(service);
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

/// Where a socket fails in an error test: `fixed` byte offsets, then 12 more in `want` drawn
/// from `seed`.
fn failure_points(want: &[u8], mut fixed: Vec<usize>, seed: u64) -> Vec<usize> {
    let mut x = seed;
    for _ in 0..12 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        fixed.push((x >> 33) as usize % want.len());
    }
    fixed
}

/// A run over a socket that failed after `fail_at` bytes: the connection ended with an error,
/// nothing was written after the failure, and the bytes before it are `want`'s.
fn assert_ended_at_the_failure(run: &Run, want: &[u8], fail_at: usize, io: Io) {
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
        "{io:?}: the {} bytes before the error differ from an unlimited socket's at byte {}",
        run.wire.len(),
        first_difference(&run.wire, want)
    );
}
