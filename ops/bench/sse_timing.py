#!/usr/bin/env python3
"""Times a server-sent-events stream through a proxy, over a raw socket.

Prints one JSON line: the median time from sending the request to the first event's bytes (ms),
and whether every run received its events one by one (each event arrived on its own, at least
80 % of the upstream's interval after the previous one) rather than in one buffered piece.

usage: sse_timing.py PORT PATH TOKEN RUNS EVENTS INTERVAL_MS
"""
import json
import socket
import statistics
import sys
import time


def one_run(port, path, token, events, interval_ms):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
    if token:
        request += f"Authorization: Bearer {token}\r\n"
    request += "Connection: close\r\n\r\n"
    start = time.perf_counter()
    s.sendall(request.encode())
    buffer = b""
    head_done = False
    seen = 0
    arrivals = []
    while seen < events:
        chunk = s.recv(65536)
        if not chunk:
            break
        now = time.perf_counter()
        buffer += chunk
        if not head_done:
            if b"\r\n\r\n" not in buffer:
                continue
            status = buffer.split(b"\r\n", 1)[0]
            if b" 200 " not in status:
                raise SystemExit(f"stream refused: {status.decode(errors='replace')}")
            head_done = True
            buffer = buffer.split(b"\r\n\r\n", 1)[1]
        count = buffer.count(b"data: ")
        for _ in range(count - seen):
            arrivals.append(now)
        seen = max(seen, count)
    s.close()
    if seen < events:
        raise SystemExit(f"only {seen} of {events} events arrived")
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    incremental = all(g >= 0.8 * interval_ms / 1000 for g in gaps)
    return (arrivals[0] - start) * 1000, incremental


def main():
    port, path, token, runs, events, interval_ms = sys.argv[1:7]
    first = []
    incremental = True
    for _ in range(int(runs)):
        ms, inc = one_run(int(port), path, token, int(events), int(interval_ms))
        first.append(ms)
        incremental &= inc
    print(json.dumps({"firstChunkMs": round(statistics.median(first), 3), "incremental": incremental}))


if __name__ == "__main__":
    main()
