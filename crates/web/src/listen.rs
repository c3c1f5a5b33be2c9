//! The listening socket: every connection is dropped when it sends nothing for a while
//! (half-sent headers, a body that never ends, an idle keep-alive) or will not read our
//! answer, so slow or stalled clients cannot hold the server's connections.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::net::{TcpListener, TcpStream};
use tokio_io_timeout::TimeoutStream;

/// A TCP listener whose connections time out when idle.
pub struct TimeoutListener {
    inner: TcpListener,
    idle: Duration,
}

impl TimeoutListener {
    /// Wrap a bound listener; connections idle for `idle` are closed.
    pub fn new(inner: TcpListener, idle: Duration) -> Self {
        TimeoutListener { inner, idle }
    }
}

impl Listener for TimeoutListener {
    type Io = Pin<Box<TimeoutStream<TcpStream>>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = Listener::accept(&mut self.inner).await;
        let _ = stream.set_nodelay(true);
        let mut s = TimeoutStream::new(stream);
        s.set_read_timeout(Some(self.idle));
        s.set_write_timeout(Some(self.idle));
        (Box::pin(s), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// The peer's address, as the pages' login limiter counts it.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, TimeoutListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, TimeoutListener>) -> Self {
        PeerAddr(*stream.remote_addr())
    }
}
