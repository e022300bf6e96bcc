//! A loopback HTTP CONNECT proxy for the tests: tunnels to 127.0.0.1 only,
//! and counts the tunnels it opened, so a test can tell that a client used it.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

pub struct Proxy {
    pub port: u16,
    tunnels: Arc<AtomicUsize>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let tunnels = Arc::new(AtomicUsize::new(0));
        let count = tunnels.clone();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let count = count.clone();
                thread::spawn(move || tunnel(client, &count));
            }
        });
        Proxy { port, tunnels }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn tunnels(&self) -> usize {
        self.tunnels.load(Ordering::SeqCst)
    }
}

fn tunnel(client: TcpStream, count: &AtomicUsize) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // CONNECT localhost:PORT HTTP/1.1
    let Some(target) = line
        .strip_prefix("CONNECT ")
        .and_then(|l| l.split_whitespace().next())
    else {
        return;
    };
    let port = target
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .unwrap_or(443);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
    }
    let Ok(upstream) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    count.fetch_add(1, Ordering::SeqCst);
    let mut client_w = client.try_clone().unwrap();
    if client_w
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let mut up_r = upstream.try_clone().unwrap();
    let mut up_w = upstream;
    let t = thread::spawn(move || {
        let _ = std::io::copy(&mut reader, &mut up_w);
        let _ = up_w.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_r, &mut client_w);
    let _ = client_w.shutdown(std::net::Shutdown::Write);
    let _ = t.join();
}
