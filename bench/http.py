"""Speed of the service over HTTP on loopback, measured with wrk against the same server.

    python -m bench.http [--model models/default] [--data data/] [--seconds 10] [--workers 1]

Compares POST /v1/classify with one quote against GET /healthz at 1, 8 and 64 connections, times
1,000-quote batches against in-process scoring of the same batch, and reports cold start (process
start to /readyz 200) and resident memory per worker. Needs wrk (Debian: apt-get install wrk).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import load_texts, table, verdict
from rhetoric.bundle import load_bundle
from rhetoric.scoring import Scorer

CONNECTIONS = (1, 8, 64)
BATCH = 1000
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50: float
    p99: float
    errors: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


@contextmanager
def server(model: Path, workers: int) -> Iterator[tuple[str, float, subprocess.Popen[bytes]]]:
    """A running `python -m service`; yields its base URL, seconds to readiness and the process."""
    port = _free_port()
    env = os.environ | {
        "RHETORIC_HOST": "127.0.0.1",
        "RHETORIC_PORT": str(port),
        "RHETORIC_MODEL_DIR": str(model),
        "RHETORIC_WORKERS": str(workers),
        "RHETORIC_LOG_LEVEL": "warning",
        "RHETORIC_FEEDBACK_DB": str(Path(tempfile.gettempdir()) / f"rhetoric-bench-{port}.sqlite3"),
    }
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "service"], env=env)
    try:
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                connection.request("GET", "/readyz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.perf_counter() - start > 60:
                raise SystemExit("the service did not become ready")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}", time.perf_counter() - start, process
    finally:
        process.terminate()
        process.wait(timeout=20)


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"cannot read wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, connections: int, seconds: float, script: Path | None = None) -> LoadResult:
    command = ["wrk", "--latency", f"-t{min(2, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    distribution = output.split("Latency Distribution", 1)[1]
    p50 = _seconds(re.search(r"^\s*50%\s+(\S+)\s*$", distribution, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _seconds(re.search(r"^\s*99%\s+(\S+)\s*$", distribution, re.MULTILINE).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = int(errors.group(1)) if errors else 0
    failed += sum(map(int, socket_errors.groups())) if socket_errors else 0
    return LoadResult(rate, p50, p99, failed)


def post_script(texts: Sequence[str], directory: Path) -> Path:
    """A wrk script that POSTs one quote per request, cycling through texts."""
    bodies = ",\n".join(f"[==[{json.dumps({'text': text})}]==]" for text in texts)
    script = directory / "classify.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"local bodies = {{\n{bodies}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #bodies + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[i])\n"
        "end\n"
    )
    return script


def batch_rate_over_http(url: str, texts: Sequence[str], seconds: float) -> float:
    body = json.dumps({"texts": list(texts)}).encode()
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        connection.request("POST", "/v1/classify", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            raise SystemExit(f"batch request failed: {response.status} {payload[:200]!r}")
        done += len(texts)
    return done / (time.perf_counter() - start)


def batch_rate_in_process(model: Path, texts: Sequence[str], seconds: float) -> float:
    bundle = load_bundle(model)
    scorer = Scorer(bundle.pipeline, bundle.card.thresholds)
    scorer.predict(texts)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        scorer.predict(texts)
        done += len(texts)
    return done / (time.perf_counter() - start)


def _ms(value: float) -> str:
    return f"{value * 1e3:.2f}"


def run(model: Path, data: Path, seconds: float, workers: int) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    texts = load_texts(data, BATCH)
    with server(model, workers) as (url, cold_start, process), tempfile.TemporaryDirectory() as scratch:
        script = post_script(texts[:200], Path(scratch))
        wrk(f"{url}/v1/classify", 8, 2, script)  # warm-up: imports, caches, word n-grams
        rows, ratios = [], {}
        for connections in CONNECTIONS:
            health = wrk(f"{url}/healthz", connections, seconds)
            classify = wrk(f"{url}/v1/classify", connections, seconds, script)
            ratios[connections] = classify.requests_per_second / health.requests_per_second
            for name, result in (("GET /healthz", health), ("POST /v1/classify, 1 quote", classify)):
                rows.append(
                    [
                        connections,
                        name,
                        f"{result.requests_per_second:,.0f}",
                        _ms(result.p50),
                        _ms(result.p99),
                        result.errors,
                    ]
                )
        over_http = batch_rate_over_http(url, texts, seconds)
        worker_pids = _children(process.pid) if workers > 1 else [process.pid]
        memory = [_rss_mb(pid) for pid in worker_pids]
    in_process = batch_rate_in_process(model, texts, seconds)

    print(f"server: python -m service, {workers} worker(s), wrk for {seconds:g} s per row, on loopback")
    print()
    print(table(["connections", "request", "requests/s", "p50 ms", "p99 ms", "errors"], rows))
    print()
    print(
        table(
            ["measure", "value", "target"],
            [
                *[
                    [f"classify / healthz throughput, {c} connections", f"{r:.0%}", f"70%: {verdict(r >= 0.7)}"]
                    for c, r in ratios.items()
                ],
                ["1,000-quote batches over HTTP, quotes/s", f"{over_http:,.0f}", ""],
                ["same batch in process, quotes/s", f"{in_process:,.0f}", ""],
                [
                    "HTTP batch / in-process batch",
                    f"{over_http / in_process:.0%}",
                    f"60%: {verdict(over_http / in_process >= 0.6)}",
                ],
                ["cold start, process start to /readyz 200", f"{cold_start:.2f} s", f"2 s: {verdict(cold_start < 2)}"],
                [
                    "resident memory per worker",
                    ", ".join(f"{m:.0f} MB" for m in memory),
                    f"250 MB: {verdict(max(memory) < 250)}",
                ],
            ],
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=Path("models/default"))
    parser.add_argument("--data", type=Path, default=Path("data"), help="corpus folder or JSONL(.gz) with 'text'")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each load run")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    run(args.model, args.data, args.seconds, args.workers)


if __name__ == "__main__":
    main()
