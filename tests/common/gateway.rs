//! A text-message gateway for the tests: a local HTTP server on its own thread that records
//! every request (method, path, headers, body) and answers each with the next reply of a
//! script, the last one repeating.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::Value;

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: body.to_string(),
        }
    }

    /// What Twilio answers a message it took.
    pub fn twilio_created(sid: &str) -> Reply {
        Reply::json(201, serde_json::json!({"sid": sid, "status": "queued"}))
    }

    /// What Twilio answers a request it refuses.
    pub fn twilio_error(status: u16, code: u32, message: &str) -> Reply {
        Reply::json(
            status,
            serde_json::json!({
                "code": code,
                "message": message,
                "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
                "status": status,
            }),
        )
    }
}

/// One request as the gateway received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RecordedRequest {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as an `application/x-www-form-urlencoded` form, decoded, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        self.body
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (form_decode(k), form_decode(v))
            })
            .collect()
    }

    /// The value of one form field.
    pub fn field(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8 form")
}

pub struct GatewayRecorder {
    pub port: u16,
    server: Arc<tiny_http::Server>,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    thread: Option<JoinHandle<()>>,
}

impl GatewayRecorder {
    /// Listens on 127.0.0.1 on a free port and answers the n-th request with `replies[n]` (the
    /// last reply once they run out).
    pub fn start(replies: Vec<Reply>) -> GatewayRecorder {
        assert!(!replies.is_empty(), "at least one reply");
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind the gateway"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let server = Arc::clone(&server);
            let requests = Arc::clone(&requests);
            std::thread::spawn(move || {
                // `unblock` on drop ends the loop.
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let recorded = RecordedRequest {
                        method: request.method().as_str().to_string(),
                        path: request.url().to_string(),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| (h.field.as_str().to_string(), h.value.as_str().to_string()))
                            .collect(),
                        body,
                    };
                    let reply = {
                        let mut all = requests.lock().expect("requests");
                        all.push(recorded);
                        replies[(all.len() - 1).min(replies.len() - 1)].clone()
                    };
                    let response = tiny_http::Response::from_string(reply.body)
                        .with_status_code(reply.status)
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", "application/json")
                                .expect("header"),
                        );
                    let _ = request.respond(response);
                }
            })
        };
        GatewayRecorder {
            port,
            server,
            requests,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT` and the path.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for GatewayRecorder {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
