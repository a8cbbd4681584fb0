//! Sending a response body from the file that holds it, without copying it through user space.

use std::io;

use crate::Extensions;

/// Put in a response's extensions: the body's bytes also lie in a file, which the HTTP/1
/// dispatcher sends from (`sendfile(2)`, say) instead of writing the body's own bytes.
///
/// The body must be exactly the bytes [`SendFile::send`] sends (same length, same content), in
/// one chunk of at least 16 KiB. Whenever the file cannot be used (a `HEAD` or a 304, a chunked
/// or compressed body, a smaller body, HTTP/2, a connection [`SendFile::send`] cannot send to,
/// or an error from it) the body's own bytes are written as usual, from where the file stopped.
pub struct BodyFile(pub Box<dyn SendFile>);

/// A body's bytes as they lie in a file (see [`BodyFile`]).
pub trait SendFile: 'static {
    /// The body's length in bytes.
    fn size(&self) -> u64;

    /// Sends up to `count` bytes of the body, starting `at` bytes in, straight to the
    /// connection whose on-connect data is `conn` (what the service's `on_connect_ext`
    /// stored), and says how many went.
    ///
    /// `Ok(None)` when the file cannot serve (it cannot send to this connection, or reading
    /// the file failed): the rest of the body's own bytes are written instead.
    /// `ErrorKind::WouldBlock` when the connection takes nothing now: the dispatcher then writes
    /// through the I/O, which waits for the connection as for any write. Any other error is the
    /// connection's, and ends it as a failed write does.
    fn send(&self, conn: &Extensions, at: u64, count: usize) -> io::Result<Option<usize>>;

    /// Writes the bytes before the body (its response head) to the connection, saying that the
    /// body follows at once (`MSG_MORE`), so that the two leave in full packets; answers as
    /// [`send`](Self::send) does. By default `Ok(None)`: they are written through the I/O.
    fn send_head(&self, conn: &Extensions, head: &[u8]) -> io::Result<Option<usize>> {
        let _ = (conn, head);
        Ok(None)
    }

    /// Called once the dispatcher is done with the file: the body has gone, or the rest is left
    /// to memory. By default nothing.
    fn finished(&self, conn: &Extensions) {
        let _ = conn;
    }
}
