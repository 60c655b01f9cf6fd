//! The `http_server` workload of `bench/WORKLOADS.md` with hyper 0.14 on
//! Tokio's `current_thread` runtime (one thread, one process).
//!
//! Usage: `bench-hyper --workload http_server --port P` serves on
//! 127.0.0.1:P until the process is terminated (SIGTERM's default action):
//! `hyper::Server::bind` with `http1_only`, one `service_fn` per connection
//! (hyper spawns a task per connection on the runtime); `GET /hello` answers
//! 200 with `Content-Type: text/plain` and the 13-byte body `Hello, World!`
//! (a full body, so hyper sends `Content-Length`), anything else 404.
//! Connections stay open (HTTP/1.1 keep-alive, hyper's default).
//! Exit status: 0 ok, 2 bad arguments, 64 the workload is not implemented
//! here (every other one), 1 any other error. Prints nothing on stdout.

#[path = "../../tokio/src/args.rs"]
mod args;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::exit;

use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Method, Request, Response, Server, StatusCode};

use args::arg_value;

const EXIT_ARGS: i32 = 2;
const EXIT_UNSUPPORTED: i32 = 64;

async fn hello(req: Request<Body>) -> Result<Response<Body>, Infallible> {
    if req.method() == Method::GET && req.uri().path() == "/hello" {
        let mut resp = Response::new(Body::from("Hello, World!"));
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        return Ok(resp);
    }
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::NOT_FOUND;
    Ok(resp)
}

/// Serves http_server on 127.0.0.1:port until the process is terminated.
fn http_server(port: u16) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let make_svc =
            make_service_fn(|_conn| async { Ok::<_, Infallible>(service_fn(hello)) });
        Server::try_bind(&addr)
            .map_err(|e| format!("listen on port {port}: {e}"))?
            .http1_only(true)
            .serve(make_svc)
            .await
            .map_err(|e| format!("serve: {e}"))
    })
}

// ---- command line (args.rs) ----

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(workload) = arg_value(&args, "workload") else {
        eprintln!("usage: bench-hyper --workload http_server --port P");
        exit(EXIT_ARGS);
    };
    if workload != "http_server" {
        eprintln!("bench-hyper: workload {workload:?} is not implemented");
        exit(EXIT_UNSUPPORTED);
    }
    let port = match arg_value(&args, "port").map(|s| s.parse::<u16>()) {
        Some(Ok(p)) => p,
        _ => {
            eprintln!("bench-hyper: http_server needs --port P");
            exit(EXIT_ARGS);
        }
    };
    if let Err(msg) = http_server(port) {
        eprintln!("bench-hyper: http_server: {msg}");
        exit(1);
    }
}
