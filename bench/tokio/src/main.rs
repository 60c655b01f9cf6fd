//! The workloads of `bench/WORKLOADS.md` on Tokio's `current_thread`
//! runtime: the five micro workloads and the `echo_tcp` server (no HTTP
//! workloads: http_server is in `bench/hyper`, a crate of its own so that
//! this one builds without hyper).
//!
//! Usage: `bench-tokio --workload NAME --n N` (other arguments are ignored),
//! or `bench-tokio --workload echo_tcp --port P`, which serves on
//! 127.0.0.1:P until the process is terminated (SIGTERM's default action):
//! a `TcpListener`, one spawned task per connection that reads into a
//! 64 KiB buffer and writes back what it read with `write_all`.
//! Prints one JSON object per metric on stdout. Exit status: 0 ok, 2 a
//! result check failed (`CHECK FAILED ...` on stderr), 64 the workload is
//! not implemented here, 1 any other error.
//!
//! Every workload body runs inside a spawned task (`tokio::spawn`), which
//! the runtime's `block_on` only awaits, so the timed code is an ordinary
//! task of the scheduler.

mod args;
mod queue;

use std::future::Future;
use std::process::exit;
use std::time::{Duration, Instant};

use args::arg_value;
use queue::Queue;

const EXIT_CHECK: i32 = 2;
const EXIT_UNSUPPORTED: i32 = 64;

/// One measured value.
struct Metric {
    name: &'static str,
    value: f64,
    unit: &'static str,
}

/// A failed result check or another error, as the message to print.
enum Failure {
    Check(String),
    Other(String),
}

type Outcome<T> = Result<T, Failure>;

fn triangular(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn check_sum(what: &str, got: u64, n: u64) -> Outcome<()> {
    if got != triangular(n) {
        return Err(Failure::Check(format!(
            "{what}: sum {got} != {} (n={n})",
            triangular(n)
        )));
    }
    Ok(())
}

fn join_err(e: tokio::task::JoinError) -> Failure {
    Failure::Other(format!("task failed: {e}"))
}

/// Runs `fut` as a spawned task of a fresh current_thread runtime.
fn on_runtime<F, T>(fut: F) -> Outcome<T>
where
    F: Future<Output = Outcome<T>> + Send + 'static,
    T: Send + 'static,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| Failure::Other(format!("runtime: {e}")))?;
    rt.block_on(async move { tokio::spawn(fut).await.map_err(join_err)? })
}

// ---- the timed bodies: each returns the duration of its timed region ----

async fn spawn_await(n: u64) -> Outcome<Duration> {
    let t0 = Instant::now();
    let mut sum = 0u64;
    for i in 0..n {
        sum += tokio::spawn(async move { i }).await.map_err(join_err)?;
    }
    let dt = t0.elapsed();
    check_sum("spawn_await", sum, n)?;
    Ok(dt)
}

async fn gather_many(n: u64) -> Outcome<Duration> {
    let t0 = Instant::now();
    let handles: Vec<_> = (0..n)
        .map(|i| {
            tokio::spawn(async move {
                tokio::task::yield_now().await;
                i
            })
        })
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for h in handles {
        results.push(h.await.map_err(join_err)?);
    }
    let dt = t0.elapsed();
    if results.len() as u64 != n {
        return Err(Failure::Check(format!(
            "gather_many: {} results != {n}",
            results.len()
        )));
    }
    check_sum("gather_many", results.iter().sum(), n)?;
    Ok(dt)
}

async fn yield_roundtrip(n: u64) -> Outcome<Duration> {
    let t0 = Instant::now();
    let count = tokio::spawn(async move {
        let mut c = 0u64;
        for _ in 0..n {
            tokio::task::yield_now().await;
            c += 1;
        }
        c
    })
    .await
    .map_err(join_err)?;
    let dt = t0.elapsed();
    if count != n {
        return Err(Failure::Check(format!(
            "yield_roundtrip: count {count} != {n}"
        )));
    }
    Ok(dt)
}

async fn queue_pipeline(n: u64) -> Outcome<Duration> {
    let t0 = Instant::now();
    let q = Queue::new(100);
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let q = q.clone();
            tokio::spawn(async move {
                let mut s = 0u64;
                // get() fails once the queue is closed: the stop signal.
                while let Some(v) = q.get().await {
                    s += v;
                    q.task_done();
                }
                s
            })
        })
        .collect();
    for i in 0..n {
        q.put(i).await;
    }
    q.join().await;
    q.close();
    let mut sum = 0u64;
    for c in consumers {
        sum += c.await.map_err(join_err)?;
    }
    let dt = t0.elapsed();
    check_sum("queue_pipeline", sum, n)?;
    Ok(dt)
}

/// Runs a micro workload: an untimed but checked warm-up with
/// max(1, n/10), then the timed run with n; the metric is ns per item.
fn micro<F, Fut>(metric: &'static str, n: u64, body: F) -> Outcome<Vec<Metric>>
where
    F: Fn(u64) -> Fut + Send + 'static,
    Fut: Future<Output = Outcome<Duration>> + Send + 'static,
{
    let dt = on_runtime(async move {
        body((n / 10).max(1)).await?;
        body(n).await
    })?;
    Ok(vec![Metric {
        name: metric,
        value: dt.as_nanos() as f64 / n as f64,
        unit: "ns",
    }])
}

// ---- timers_many ----

/// The spec's delays: xorshift32 (13/17/5) from 2463534242, modulo 100001.
fn delays_us(n: usize) -> Vec<u64> {
    let mut x: u32 = 2463534242;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            u64::from(x % 100_001)
        })
        .collect()
}

/// Reads "Field:  123 kB" from /proc/self/status.
fn proc_status_kb(field: &str) -> Outcome<u64> {
    let text = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| Failure::Other(format!("/proc/self/status: {e}")))?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| Failure::Other(format!("no {field} in /proc/self/status")))
}

fn timers_many(n: u64) -> Outcome<Vec<Metric>> {
    let delays = delays_us(n as usize);
    let (wall, base_kb, peak_kb) = on_runtime(async move {
        let base_kb = proc_status_kb("VmRSS")?;
        let t0 = Instant::now();
        let handles: Vec<_> = delays
            .iter()
            .map(|&d| {
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_micros(d)).await;
                    d
                })
            })
            .collect();
        let mut results = Vec::with_capacity(handles.len());
        for h in handles {
            results.push(h.await.map_err(join_err)?);
        }
        let wall = t0.elapsed();
        let peak_kb = proc_status_kb("VmHWM")?;
        let want: u64 = delays.iter().sum();
        let got: u64 = results.iter().sum();
        if results.len() != delays.len() || got != want {
            return Err(Failure::Check(format!(
                "timers_many: {} results summing to {got}, want {} summing to {want}",
                results.len(),
                delays.len()
            )));
        }
        let longest = delays.iter().copied().max().unwrap_or(0);
        if wall < Duration::from_micros(longest) {
            return Err(Failure::Check(format!(
                "timers_many: finished in {wall:?}, before the longest delay {longest} us"
            )));
        }
        Ok((wall, base_kb, peak_kb))
    })?;
    Ok(vec![
        Metric {
            name: "wall_ms",
            value: wall.as_nanos() as f64 / 1e6,
            unit: "ms",
        },
        Metric {
            name: "peak_rss_kb",
            value: peak_kb as f64,
            unit: "kB",
        },
        Metric {
            name: "bytes_per_task",
            value: (peak_kb as f64 - base_kb as f64) * 1024.0 / n as f64,
            unit: "B",
        },
    ])
}

// ---- echo_tcp ----

/// Serves echo_tcp on 127.0.0.1:port until the process is terminated.
fn echo_tcp(port: u16) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("listen on port {port}: {e}"))?;
        loop {
            let (mut sock, _) = listener
                .accept()
                .await
                .map_err(|e| format!("accept: {e}"))?;
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 << 10];
                loop {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if sock.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    })
}

// ---- command line (args.rs) ----

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(workload) = arg_value(&args, "workload") else {
        eprintln!("usage: bench-tokio --workload NAME --n N");
        exit(EXIT_CHECK);
    };
    if workload == "echo_tcp" {
        let port = match arg_value(&args, "port").map(|s| s.parse::<u16>()) {
            Some(Ok(p)) => p,
            _ => {
                eprintln!("bench-tokio: echo_tcp needs --port P");
                exit(EXIT_CHECK);
            }
        };
        if let Err(msg) = echo_tcp(port) {
            eprintln!("bench-tokio: echo_tcp: {msg}");
            exit(1);
        }
        return;
    }
    let default_n = match workload.as_str() {
        "spawn_await" => 200_000,
        "gather_many" => 100_000,
        "yield_roundtrip" => 1_000_000,
        "timers_many" => 100_000,
        "queue_pipeline" => 500_000,
        _ => {
            eprintln!("bench-tokio: workload {workload:?} is not implemented");
            exit(EXIT_UNSUPPORTED);
        }
    };
    let n: u64 = match arg_value(&args, "n").map(|s| s.parse::<i64>()) {
        None => default_n,
        Some(Ok(v)) if v > 0 => v as u64,
        Some(Ok(_)) => default_n,
        Some(Err(e)) => {
            eprintln!("bench-tokio: --n: {e}");
            exit(EXIT_CHECK);
        }
    };
    let result = match workload.as_str() {
        "spawn_await" => micro("ns_per_op", n, spawn_await),
        "gather_many" => micro("ns_per_task", n, gather_many),
        "yield_roundtrip" => micro("ns_per_op", n, yield_roundtrip),
        "queue_pipeline" => micro("ns_per_item", n, queue_pipeline),
        _ => timers_many(n),
    };
    match result {
        Ok(metrics) => {
            for m in metrics {
                println!(
                    "{{\"impl\":\"tokio\",\"workload\":\"{workload}\",\"metric\":\"{}\",\"value\":{},\"unit\":\"{}\",\"n\":{n}}}",
                    m.name, m.value, m.unit
                );
            }
        }
        Err(Failure::Check(msg)) => {
            eprintln!("CHECK FAILED [tokio]: {msg}");
            exit(EXIT_CHECK);
        }
        Err(Failure::Other(msg)) => {
            eprintln!("bench-tokio: {workload}: {msg}");
            exit(1);
        }
    }
}
