//! A request in plain HTTP to the HTTPS port gets a plain answer that says to use https://,
//! instead of a TLS handshake failure the client shows as a broken connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// The first byte of every TLS connection (a handshake record).
const TLS_HANDSHAKE: u8 = 0x16;

/// How long a connection may stay silent before its first byte.
const FIRST_BYTE: Duration = Duration::from_secs(15);

const ANSWER: &str = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: ";

fn body() -> String {
    serde_json::json!({
        "code": "validation",
        "message": "此服务只接受 HTTPS 连接，请使用 https:// 开头的地址（This server speaks HTTPS only: use an https:// address）",
        "fields": [],
    })
    .to_string()
}

/// The acceptor beneath TLS: it looks at the first byte before the handshake.
#[derive(Debug, Clone, Copy, Default)]
pub struct RefusePlainHttp;

impl<S: Send + 'static> axum_server::accept::Accept<TcpStream, S> for RefusePlainHttp {
    type Stream = TcpStream;
    type Service = S;
    type Future = Pin<Box<dyn Future<Output = io::Result<(TcpStream, S)>> + Send>>;

    fn accept(&self, mut stream: TcpStream, service: S) -> Self::Future {
        Box::pin(async move {
            let mut first = [0u8; 1];
            let n = tokio::time::timeout(FIRST_BYTE, stream.peek(&mut first))
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no request"))??;
            if n == 1 && first[0] != TLS_HANDSHAKE {
                let body = body();
                let answer = format!("{ANSWER}{}\r\n\r\n{body}", body.len());
                let _ = tokio::time::timeout(Duration::from_secs(5), async {
                    stream.write_all(answer.as_bytes()).await?;
                    stream.shutdown().await
                })
                .await;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a plain HTTP request to the HTTPS port",
                ));
            }
            Ok((stream, service))
        })
    }
}
