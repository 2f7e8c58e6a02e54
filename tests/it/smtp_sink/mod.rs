//! A real SMTP server on 127.0.0.1 for tests and benchmarks: `mailin-embedded` (an SMTP
//! implementation we did not write) with a handler that keeps what it receives and can
//! refuse recipients, fail temporarily, or hold a message mid-DATA.
#![allow(dead_code)]

pub mod plain_auth;

use mailin_embedded::{response, Handler, Response, Server, SslConfig};
use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    /// The parsed message.
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("a parsable message")
    }
    /// The Message-ID without angle brackets.
    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_string()
    }
}

#[derive(Default)]
struct Shared {
    inbox: Mutex<Vec<Received>>,
    /// Answer MAIL with 421 (a server in trouble).
    tempfail: AtomicBool,
    /// Hold every message at the end of DATA until released.
    hold: Mutex<bool>,
    released: Condvar,
    /// Messages currently held.
    holding: AtomicU64,
    /// Messages whose DATA ended (accepted or held).
    data_ends: AtomicU64,
}

/// A running server.
#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    shared: Arc<Shared>,
}

#[derive(Clone)]
struct Session {
    shared: Arc<Shared>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Session {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        if self.shared.tempfail.load(Ordering::SeqCst) {
            return response::NO_SERVICE;
        }
        self.from = from.to_string();
        self.to.clear();
        self.data.clear();
        response::OK
    }
    fn rcpt(&mut self, to: &str) -> Response {
        // Any address with "bounce" in it does not exist: a permanent refusal.
        if to.contains("bounce") {
            return response::NO_MAILBOX;
        }
        self.to.push(to.to_string());
        response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        self.shared.data_ends.fetch_add(1, Ordering::SeqCst);
        {
            let mut hold = self.shared.hold.lock().unwrap();
            if *hold {
                self.shared.holding.fetch_add(1, Ordering::SeqCst);
                let deadline = Instant::now() + Duration::from_secs(30);
                while *hold && Instant::now() < deadline {
                    hold = self
                        .shared
                        .released
                        .wait_timeout(hold, Duration::from_millis(50))
                        .unwrap()
                        .0;
                }
                self.shared.holding.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.shared.inbox.lock().unwrap().push(Received {
            from: self.from.clone(),
            to: self.to.clone(),
            data: std::mem::take(&mut self.data),
        });
        response::OK
    }
}

impl Sink {
    /// A server on an ephemeral port.
    pub fn start() -> Sink {
        Self::start_on(0)
    }

    /// A server on `port` (0: any free one).
    pub fn start_on(port: u16) -> Sink {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP sink");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let handler = Session {
            shared: shared.clone(),
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(handler);
        server
            .with_name("sink.test")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_num_threads(80)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Sink { port, shared }
    }

    /// A free port nothing listens on (yet).
    pub fn free_port() -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.shared.inbox.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.shared.inbox.lock().unwrap().len()
    }

    /// Messages to one address, in arrival order.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }

    pub fn set_tempfail(&self, on: bool) {
        self.shared.tempfail.store(on, Ordering::SeqCst);
    }

    /// Holds messages at the end of DATA (`true`) or lets them through (`false`).
    pub fn set_hold(&self, on: bool) {
        *self.shared.hold.lock().unwrap() = on;
        self.shared.released.notify_all();
    }

    /// How many messages are held right now.
    pub fn holding(&self) -> u64 {
        self.shared.holding.load(Ordering::SeqCst)
    }

    /// Waits (really, briefly) until `n` messages arrived.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if self.count() >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.count() >= n
    }
}
