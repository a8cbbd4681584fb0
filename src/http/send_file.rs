//! A rendition goes from its file to the socket without passing through user space
//! (`sendfile(2)`), its head and body corked together (`TCP_CORK`), as nginx's `sendfile on;
//! tcp_nopush on` does: the vendored actix-http's `h1::BodyFile` (vendor/README.md, fix 3). The
//! body still carries the bytes, and the dispatcher writes them whenever the file cannot serve
//! (a `HEAD`, a body under 16 KiB, another platform, an error).

use actix_http::Extensions;
use actix_http::h1::{BodyFile, SendFile};
use std::fs::File;
use std::io;
use std::sync::Arc;

/// `len` bytes of `file` from `offset`: the response body's bytes, exactly.
struct Region {
    file: Arc<File>,
    offset: u64,
    len: u64,
}

/// The extension that lets the dispatcher send a body of `len` bytes from `file` at `offset`.
pub(super) fn body_file(file: Arc<File>, offset: u64, len: u64) -> BodyFile {
    BodyFile(Box::new(Region { file, offset, len }))
}

#[cfg(target_os = "linux")]
mod linux {
    use std::os::fd::{AsFd, OwnedFd};

    /// A connection's socket (a duplicate of the descriptor tokio holds: the same socket),
    /// kept in the connection's data by [`on_connect`].
    struct Socket(OwnedFd);

    /// The socket [`on_connect`] kept in a connection's data, if any.
    pub(super) fn socket(conn: &actix_http::Extensions) -> Option<&OwnedFd> {
        conn.get::<Socket>().map(|Socket(fd)| fd)
    }

    /// Whether a `sendfile` or `send` error is the connection's (it ends the connection)
    /// rather than the file's: full, interrupted, or broken.
    pub(super) fn is_the_connections(e: rustix::io::Errno) -> bool {
        use rustix::io::Errno;
        [
            Errno::AGAIN,
            Errno::INTR,
            Errno::PIPE,
            Errno::CONNRESET,
            Errno::CONNABORTED,
            Errno::NOTCONN,
            Errno::TIMEDOUT,
            Errno::HOSTUNREACH,
            Errno::NETUNREACH,
            Errno::NETDOWN,
        ]
        .contains(&e)
    }

    /// `HttpServer::on_connect`: a plain TCP connection's socket, for `sendfile`. A
    /// connection of any other kind gets none, and its bodies are written as usual.
    pub fn on_connect(conn: &dyn std::any::Any, data: &mut actix_http::Extensions) {
        let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() else {
            return;
        };
        match tcp.as_fd().try_clone_to_owned() {
            Ok(fd) => {
                data.insert(Socket(fd));
            }
            // Out of descriptors: this connection writes its bodies from memory.
            Err(e) => tracing::debug!(error = %e, "no socket descriptor for sendfile"),
        }
    }
}

#[cfg(target_os = "linux")]
pub use linux::on_connect;

/// `HttpServer::on_connect` where there is no `sendfile`: nothing is kept.
#[cfg(not(target_os = "linux"))]
pub fn on_connect(_: &dyn std::any::Any, _: &mut actix_http::Extensions) {}

impl SendFile for Region {
    fn size(&self) -> u64 {
        self.len
    }

    #[cfg(target_os = "linux")]
    fn send(&self, conn: &Extensions, at: u64, count: usize) -> io::Result<Option<usize>> {
        let Some(socket) = linux::socket(conn) else {
            return Ok(None);
        };
        let count = count.min(self.len.saturating_sub(at) as usize);
        let mut from = self.offset + at;
        // The file offset is passed in, not the descriptor's own: one open file serves many
        // connections at once.
        match rustix::fs::sendfile(socket, &*self.file, Some(&mut from), count) {
            Ok(n) => {
                let m = &crate::metrics::METRICS.media_sendfile_bytes;
                m.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                Ok(Some(n))
            }
            Err(e) if linux::is_the_connections(e) => Err(e.into()),
            // The file side failed (a read error, a file system without splice): the
            // dispatcher writes the rest of the body from memory.
            Err(e) => {
                tracing::warn!(error = %e, "sendfile failed; the rendition is written from memory");
                Ok(None)
            }
        }
    }

    #[cfg(target_os = "linux")]
    fn send_head(&self, conn: &Extensions, head: &[u8]) -> io::Result<Option<usize>> {
        let Some(socket) = linux::socket(conn) else {
            return Ok(None);
        };
        // Corked, the head and the body leave in full packets (nginx's `tcp_nopush`);
        // `finished` uncorks.
        let _ = rustix::net::sockopt::set_tcp_cork(socket, true);
        match rustix::net::send(socket, head, rustix::net::SendFlags::NOSIGNAL) {
            Ok(n) => Ok(Some(n)),
            Err(e) if linux::is_the_connections(e) => Err(e.into()),
            Err(_) => Ok(None),
        }
    }

    #[cfg(target_os = "linux")]
    fn finished(&self, conn: &Extensions) {
        if let Some(socket) = linux::socket(conn) {
            let _ = rustix::net::sockopt::set_tcp_cork(socket, false);
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn send(&self, _: &Extensions, _: u64, _: usize) -> io::Result<Option<usize>> {
        Ok(None)
    }
}
