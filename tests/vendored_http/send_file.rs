//! A body sent from its file (`actix_http::h1::BodyFile`, vendor/README.md fix 3): the
//! connection's data holds the socket, and a mock `SendFile` sends the body's bytes to it in
//! random pieces, would block, or cannot serve at all. Every run must put exactly the bytes on
//! the wire that an unlimited socket gets when the body is written from memory.

use super::*;
use actix_http::h1::{BodyFile, SendFile};

/// Whether a body's file can send to the connection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Mode {
    /// No connection data: the dispatcher never tries the file.
    Off,
    /// Sends (in random pieces, as the socket takes writes).
    Sends,
    /// Always answers `Ok(None)`: the body goes from memory.
    Cannot,
}

/// The connection's data: the socket's wire, as `wirefeed::http::send_file` keeps the socket.
pub(super) struct Connection {
    pub(super) wire: Rc<RefCell<Wire>>,
    pub(super) mode: Mode,
}

/// A body of `pattern(len)` "in a file".
struct File {
    len: u64,
}

pub(super) fn body_file(len: u64) -> BodyFile {
    BodyFile(Box::new(File { len }))
}

/// `count` bytes of `pattern` from `at`.
fn pattern_at(at: u64, count: usize) -> Vec<u8> {
    (at..at + count as u64).map(|i| (i % 251) as u8).collect()
}

impl File {
    fn write(&self, conn: &Extensions, bytes: &[u8], call: Call) -> io::Result<Option<usize>> {
        let Some(c) = conn.get::<Connection>() else {
            panic!("the dispatcher used a body's file on a connection without data");
        };
        if c.mode == Mode::Cannot {
            return Ok(None);
        }
        match c.wire.borrow_mut().write(&[bytes], true, call) {
            Poll::Ready(r) => r.map(Some),
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl SendFile for File {
    fn size(&self) -> u64 {
        self.len
    }

    fn send(&self, conn: &Extensions, at: u64, count: usize) -> io::Result<Option<usize>> {
        assert!(at + count as u64 <= self.len, "asked past the body's end");
        self.write(conn, &pattern_at(at, count), Call::File)
    }

    fn send_head(&self, conn: &Extensions, head: &[u8]) -> io::Result<Option<usize>> {
        self.write(conn, head, Call::BeforeFile)
    }

    fn finished(&self, conn: &Extensions) {
        conn.get::<Connection>()
            .unwrap()
            .wire
            .borrow_mut()
            .files_finished += 1;
    }
}

/// Bodies from files either side of 16 KiB, a HEAD, and bodies from memory between them.
const FILES: &[Exchange] = &[
    ("GET", "/file/70000", 70_000),
    ("HEAD", "/file/70000", 0),
    ("GET", "/big/20000", 20_000),
    ("GET", "/file/16384", 16_384),
    ("GET", "/file/16383", 16_383),
    ("GET", "/file/200000", 200_000),
    ("GET", "/chunks/50000/17000", 50_000),
    ("GET", "/file/100", 100),
];

/// Bytes of `FILES` that can go from a file: the GETs of at least 16 KiB, three bodies.
const FROM_FILES: usize = 70_000 + 16_384 + 200_000;
const FILE_BODIES: usize = 3;

#[actix_rt::test]
async fn bodies_sent_from_their_file_put_the_same_bytes_on_the_wire() {
    let (text, _) = requests_of(FILES);
    for write_buffer in [None, Some(1)] {
        let want = reference("from files", FILES, write_buffer).await;
        for vectored in [true, false] {
            for seed in 0..40u64 {
                let io = Io {
                    file: Mode::Sends,
                    rng: seed * 7919,
                    write_buffer,
                    vectored,
                    fail_at: None,
                };
                let run = serve(&text, io).await;
                assert!(
                    run.wire == want,
                    "{io:?}: the wire differs from an unlimited socket's, bodies from memory, \
                     at byte {} ({} bytes, want {})",
                    first_difference(&run.wire, &want),
                    run.wire.len(),
                    want.len()
                );
                assert!(
                    run.seen.from_file > 0 && run.seen.from_file <= FROM_FILES,
                    "{io:?}: {} bytes from files",
                    run.seen.from_file
                );
                // Each file is told once that it is done with (wirefeed uncorks the socket).
                assert_eq!(run.seen.files_finished, FILE_BODIES, "{io:?}");
            }
        }
    }
}

#[actix_rt::test]
async fn a_large_body_goes_from_its_file_after_its_head_and_nothing_else_does() {
    let text = "GET /file/70000 HTTP/1.1\r\nHost: x\r\n\r\n";
    let io = Io {
        file: Mode::Sends,
        ..UNLIMITED
    };
    let run = serve(text, io).await;
    let head = run.wire.len() - 70_000;
    assert!(answers(&run.wire, &[false])[0].body == pattern(70_000));
    assert_eq!(
        (run.seen.from_file, run.seen.before_file, run.seen.plain),
        (70_000, head, 0),
        "the body from the file, the head just before it with the body announced"
    );
    assert!(run.seen.vectored.is_empty(), "{:?}", run.seen.vectored);
    assert_eq!(run.seen.files_finished, 1);

    // A HEAD, a body under 16 KiB, or a connection without data: nothing from a file.
    for (text, io) in [
        ("HEAD /file/70000 HTTP/1.1\r\nHost: x\r\n\r\n", io),
        ("GET /file/16383 HTTP/1.1\r\nHost: x\r\n\r\n", io),
        ("GET /file/70000 HTTP/1.1\r\nHost: x\r\n\r\n", UNLIMITED),
    ] {
        let run = serve(text, io).await;
        assert_eq!(
            (run.seen.from_file, run.seen.before_file),
            (0, 0),
            "{text:?} {io:?}"
        );
        assert!(!run.wire.is_empty());
    }
}

#[actix_rt::test]
async fn a_file_that_cannot_serve_leaves_the_body_to_memory() {
    let (text, _) = requests_of(FILES);
    let want = reference("from files", FILES, None).await;
    for seed in 0..20u64 {
        let io = Io {
            file: Mode::Cannot,
            rng: seed * 7919,
            ..UNLIMITED
        };
        let run = serve(&text, io).await;
        assert!(
            run.wire == want,
            "{io:?}: differs at byte {}",
            first_difference(&run.wire, &want)
        );
        assert_eq!((run.seen.from_file, run.seen.before_file), (0, 0));
        assert_eq!(run.seen.files_finished, FILE_BODIES, "{io:?}");
    }
}

#[actix_rt::test]
async fn a_socket_error_while_sending_from_a_file_ends_the_connection() {
    let (text, _) = requests_of(FILES);
    let want = reference("from files", FILES, None).await;
    let head = want.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let cuts = failure_points(
        &want,
        vec![0, 1, head, head + 1, head + 40_000, 69_000 + head],
        777,
    );
    for &fail_at in &cuts {
        for seed in [0, 3, 17, 101] {
            let io = Io {
                file: Mode::Sends,
                rng: seed * 7919,
                fail_at: Some(fail_at),
                ..UNLIMITED
            };
            let run = serve(&text, io).await;
            assert_ended_at_the_failure(&run, &want, fail_at, io);
        }
    }
}
