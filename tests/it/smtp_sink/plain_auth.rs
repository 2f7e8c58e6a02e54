//! A loopback SMTP server that offers `AUTH PLAIN LOGIN` without TLS, which the
//! `mailin-embedded` sink never does: it shows whether bizdesk sends a password in clear. It
//! accepts any login and any message, and keeps every command line it was sent.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A running server and what it was told.
#[derive(Clone)]
pub struct PlainAuthSink {
    pub port: u16,
    commands: Arc<Mutex<Vec<String>>>,
}

impl PlainAuthSink {
    /// A server on an ephemeral port of 127.0.0.1.
    pub fn start() -> PlainAuthSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink");
        let port = listener.local_addr().unwrap().port();
        let commands = Arc::new(Mutex::new(Vec::new()));
        let log = commands.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &log);
                });
            }
        });
        PlainAuthSink { port, commands }
    }

    /// Every command line received, in order (message bodies left out).
    pub fn commands(&self) -> Vec<String> {
        self.commands.lock().unwrap().clone()
    }

    /// Whether any `AUTH` command arrived.
    pub fn saw_auth(&self) -> bool {
        self.commands()
            .iter()
            .any(|c| c.to_ascii_uppercase().starts_with("AUTH"))
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 plain-auth.test ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        log.lock().unwrap().push(cmd.clone());
        let verb = cmd
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-plain-auth.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n",
            "HELO" | "MAIL" | "RCPT" | "NOOP" | "RSET" => b"250 OK\r\n",
            "AUTH" if cmd.split_whitespace().count() >= 3 => b"235 Authentication succeeded\r\n",
            // AUTH LOGIN (or PLAIN without its argument): one more line, then success.
            "AUTH" => {
                out.write_all(b"334 \r\n")?;
                line.clear();
                lines.read_line(&mut line)?;
                if cmd.to_ascii_uppercase().contains("LOGIN") {
                    out.write_all(b"334 \r\n")?;
                    line.clear();
                    lines.read_line(&mut line)?;
                }
                b"235 Authentication succeeded\r\n"
            }
            "DATA" => {
                out.write_all(b"354 go ahead\r\n")?;
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 || line.trim_end() == "." {
                        break;
                    }
                }
                b"250 queued\r\n"
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        out.write_all(reply)?;
    }
}
