#!/usr/bin/env python3
"""The workloads of bench/WORKLOADS.md on asyncio (or uvloop).

Usage: bench.py [--uvloop] --workload NAME --n N   (other arguments are ignored)
       bench.py [--uvloop] --workload echo_tcp --port P [--variant streams|protocol]
       bench.py [--uvloop] --workload http_server --port P
       bench.py [--uvloop] --workload http_fetch --url URL --n N --concurrency C

Prints one JSON object per metric on stdout. Exit status: 0 ok, 2 a result
check failed ("CHECK FAILED ..." on stderr), 64 the workload is not
implemented here, 1 any other error. With --uvloop the same coroutines run
on uvloop's event loop instead of asyncio's default one.

The servers (echo_tcp, http_server) serve on 127.0.0.1:P until SIGTERM.
echo_tcp's streams variant (the default) is asyncio.start_server with a
read(65536)/write/drain loop per connection; the protocol variant is an
asyncio.Protocol writing back in data_received. http_server and http_fetch
use aiohttp and exit 64 when it cannot be imported.

The timed code runs in the coroutine given to run_until_complete, which the
loop wraps in an ordinary Task.
"""

import argparse
import asyncio
import json
import sys
import time

EXIT_CHECK = 2
EXIT_UNSUPPORTED = 64


class CheckFailed(Exception):
    """A result check did not hold."""


def triangular(n):
    return n * (n - 1) // 2


def check_sum(what, got, n):
    if got != triangular(n):
        raise CheckFailed(f"{what}: sum {got} != {triangular(n)} (n={n})")


# ---- timed bodies: each returns the nanoseconds of its timed region ----


async def spawn_await(n):
    async def value(i):
        return i

    loop = asyncio.get_running_loop()
    t0 = time.perf_counter_ns()
    s = 0
    for i in range(n):
        s += await loop.create_task(value(i))
    dt = time.perf_counter_ns() - t0
    check_sum("spawn_await", s, n)
    return dt


async def gather_many(n):
    async def yield_once(i):
        await asyncio.sleep(0)
        return i

    loop = asyncio.get_running_loop()
    t0 = time.perf_counter_ns()
    tasks = [loop.create_task(yield_once(i)) for i in range(n)]
    results = await asyncio.gather(*tasks)
    dt = time.perf_counter_ns() - t0
    if len(results) != n:
        raise CheckFailed(f"gather_many: {len(results)} results != {n}")
    check_sum("gather_many", sum(results), n)
    return dt


async def yield_roundtrip(n):
    async def count(n):
        c = 0
        for _ in range(n):
            await asyncio.sleep(0)
            c += 1
        return c

    t0 = time.perf_counter_ns()
    c = await asyncio.get_running_loop().create_task(count(n))
    dt = time.perf_counter_ns() - t0
    if c != n:
        raise CheckFailed(f"yield_roundtrip: count {c} != {n}")
    return dt


async def queue_pipeline(n):
    async def consume(q, sums, k):
        try:
            while True:
                sums[k] += await q.get()
                q.task_done()
        except asyncio.CancelledError:
            pass  # stopped by the producer: sums[k] is the partial sum

    loop = asyncio.get_running_loop()
    t0 = time.perf_counter_ns()
    q = asyncio.Queue(maxsize=100)
    sums = [0, 0, 0, 0]
    consumers = [loop.create_task(consume(q, sums, k)) for k in range(4)]
    for i in range(n):
        await q.put(i)
    await q.join()
    for c in consumers:
        c.cancel()
    await asyncio.gather(*consumers)
    dt = time.perf_counter_ns() - t0
    check_sum("queue_pipeline", sum(sums), n)
    return dt


def micro(metric, body):
    """A warm-up with max(1, n//10) (checked, untimed), then the timed run."""

    async def both(n):
        await body(max(1, n // 10))
        return await body(n)

    def run(new_loop, n):
        dt = run_on(new_loop, both(n))
        return [(metric, dt / n, "ns")]

    return run


# ---- timers_many ----


def delays_us(n):
    """The spec's xorshift32 (13/17/5) delays in [0, 100000] microseconds."""
    x = 2463534242
    out = []
    for _ in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out.append(x % 100001)
    return out


def proc_status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def timers_many(new_loop, n):
    delays = delays_us(n)

    async def sleeper(d):
        await asyncio.sleep(d / 1e6)
        return d

    async def body():
        loop = asyncio.get_running_loop()
        base_kb = proc_status_kb("VmRSS")
        t0 = time.perf_counter_ns()
        results = await asyncio.gather(*[loop.create_task(sleeper(d)) for d in delays])
        wall = time.perf_counter_ns() - t0
        peak_kb = proc_status_kb("VmHWM")
        if len(results) != n or sum(results) != sum(delays):
            raise CheckFailed(
                f"timers_many: {len(results)} results summing to {sum(results)}, "
                f"want {n} summing to {sum(delays)}"
            )
        if wall < max(delays) * 1000:
            raise CheckFailed(f"timers_many: done in {wall} ns, before the longest delay")
        return wall, base_kb, peak_kb

    wall, base_kb, peak_kb = run_on(new_loop, body())
    return [
        ("wall_ms", wall / 1e6, "ms"),
        ("peak_rss_kb", peak_kb, "kB"),
        ("bytes_per_task", (peak_kb - base_kb) * 1024 / n, "B"),
    ]


# ---- network workloads ----


def serve_forever(new_loop, start):
    """Runs start() (which starts listening) on a new loop, then serves until
    the process is terminated (SIGTERM's default action)."""
    loop = new_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(start())
    loop.run_forever()


def echo_tcp(new_loop, port, variant):
    async def handle(reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    class Echo(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport

        def data_received(self, data):
            self.transport.write(data)

    async def start():
        if variant == "protocol":
            await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", port)
        else:
            await asyncio.start_server(handle, "127.0.0.1", port)

    serve_forever(new_loop, start)


HELLO = b"Hello, World!"


def http_server(new_loop, port, web):
    async def hello(request):
        return web.Response(body=HELLO, content_type="text/plain")

    async def start():
        app = web.Application()
        app.router.add_get("/hello", hello)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()

    serve_forever(new_loop, start)


def http_fetch(new_loop, url, n, conc, aiohttp):
    """N GETs of {url}/item/{i} through one ClientSession (connector limit =
    conc) by conc worker tasks; checks every id and their sum."""

    async def body():
        next_i = 0
        total = 0

        async def worker(session):
            nonlocal next_i, total
            while next_i < n:
                i = next_i
                next_i += 1
                async with session.get(f"{url}/item/{i}") as resp:
                    raw = await resp.read()
                    if resp.status != 200:
                        raise CheckFailed(f"http_fetch: item {i}: status {resp.status}")
                item = json.loads(raw)
                if item.get("id") != i:
                    raise CheckFailed(f"http_fetch: item {i}: id {item.get('id')!r}")
                total += item["id"]

        connector = aiohttp.TCPConnector(limit=conc, limit_per_host=conc)
        async with aiohttp.ClientSession(connector=connector) as session:
            cpu0, t0 = time.process_time(), time.perf_counter()
            await asyncio.gather(*[worker(session) for _ in range(conc)])
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        check_sum("http_fetch", total, n)
        return wall, cpu

    wall, cpu = run_on(new_loop, body())
    return [("req_per_s", n / wall, "req/s"), ("client_cpu_us_per_req", cpu * 1e6 / n, "us")]


NETWORK = {"echo_tcp", "http_server", "http_fetch"}


def import_aiohttp():
    """aiohttp (and aiohttp.web), or None when it is not installed."""
    try:
        import aiohttp
        from aiohttp import web

        return aiohttp, web
    except ImportError:
        return None, None


# ---- driver ----


def run_on(new_loop, coro):
    loop = new_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


WORKLOADS = {
    # name: (default N, runner(new_loop, n) -> [(metric, value, unit)])
    "spawn_await": (200_000, micro("ns_per_op", spawn_await)),
    "gather_many": (100_000, micro("ns_per_task", gather_many)),
    "yield_roundtrip": (1_000_000, micro("ns_per_op", yield_roundtrip)),
    "timers_many": (100_000, timers_many),
    "queue_pipeline": (500_000, micro("ns_per_item", queue_pipeline)),
}


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", required=True)
    p.add_argument("--n", type=int, default=0)
    p.add_argument("--uvloop", action="store_true", help="run on uvloop's event loop")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--variant", choices=["streams", "protocol"], default="streams")
    p.add_argument("--url", default="")
    p.add_argument("--concurrency", type=int, default=50)
    args, _ = p.parse_known_args(argv)  # unknown arguments are ignored
    if args.workload not in WORKLOADS and args.workload not in NETWORK:
        print(f"bench.py: workload {args.workload!r} is not implemented", file=sys.stderr)
        return EXIT_UNSUPPORTED
    aiohttp, web = None, None
    if args.workload in ("http_server", "http_fetch"):
        aiohttp, web = import_aiohttp()
        if aiohttp is None:
            print(f"bench.py: {args.workload} needs aiohttp, which is not installed", file=sys.stderr)
            return EXIT_UNSUPPORTED
    impl = "asyncio"
    new_loop = asyncio.new_event_loop
    if args.uvloop:
        import uvloop

        impl, new_loop = "uvloop", uvloop.new_event_loop
    if args.workload == "echo_tcp":
        echo_tcp(new_loop, args.port, args.variant)
        return 0
    if args.workload == "http_server":
        http_server(new_loop, args.port, web)
        return 0
    if args.workload == "http_fetch":
        n = args.n if args.n > 0 else 20_000
        runner = lambda new_loop, n: http_fetch(new_loop, args.url, n, max(1, args.concurrency), aiohttp)  # noqa: E731
    else:
        default_n, runner = WORKLOADS[args.workload]
        n = args.n if args.n > 0 else default_n
    try:
        metrics = runner(new_loop, n)
    except CheckFailed as e:
        print(f"CHECK FAILED [{impl}]: {e}", file=sys.stderr)
        return EXIT_CHECK
    for metric, value, unit in metrics:
        print(json.dumps({"impl": impl, "workload": args.workload, "metric": metric,
                          "value": value, "unit": unit, "n": n}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
