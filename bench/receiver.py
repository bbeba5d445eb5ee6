"""A fast webhook receiver for benchmarks and the scale-out test (asyncio, HTTP/1.1 keep-alive).

    python -m bench.receiver --port 8190 --out var/received.jsonl [--fail-rate 0.2]
        [--down-at 20 --down-for 10] [--full]

Answers every POST at once (204), or 500 for a random `--fail-rate` share, and stops listening
(connection refused, open connections dropped) for `--down-for` seconds starting `--down-at`
seconds after start. Writes one JSON line per request that reached it: `{"id": webhook-id,
"t": arrival time, "status": answer}` plus the body and signature headers with `--full` (for
checking signatures). In its own process so its CPU never competes with the sender's GIL.
"""

import argparse
import asyncio
import json
import random
import signal
import sys
import time


class _Protocol(asyncio.Protocol):
    def __init__(self, app):
        self.app = app
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport
        self.app.connections.add(transport)

    def connection_lost(self, exc):
        self.app.connections.discard(self.transport)

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self.app.handle(self.transport, headers, body)


class Receiver:
    def __init__(self, args):
        self.args = args
        self.out = open(args.out, "a", buffering=1 << 16)  # noqa: SIM115 (kept open)
        self.connections = set()
        self.server = None
        self.random = random.Random(args.seed)

    def handle(self, transport, headers, body):
        status = 500 if self.random.random() < self.args.fail_rate else 204
        record = {"id": headers.get("webhook-id", ""), "t": time.time(), "status": status}
        if self.args.full:
            record.update(
                body=body.decode(),
                ts=headers.get("webhook-timestamp", ""),
                sig=headers.get("webhook-signature", ""),
            )
        self.out.write(json.dumps(record) + "\n")
        reason = b"No Content" if status == 204 else b"Internal Server Error"
        transport.write(b"HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n" % (status, reason))

    async def listen(self):
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: _Protocol(self), "127.0.0.1", self.args.port, reuse_address=True
        )

    async def main(self):
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await self.listen()
        print("ready", flush=True)
        tasks = [asyncio.create_task(self._flush_every_second())]
        if self.args.down_for:
            tasks.append(asyncio.create_task(self._outage()))
        await stop.wait()
        for task in tasks:
            task.cancel()
        self.out.flush()

    async def _outage(self):
        await asyncio.sleep(self.args.down_at)
        self.server.close()
        for transport in list(self.connections):
            transport.close()  # answers already written are flushed first, then it is gone
        print("down", flush=True)
        await asyncio.sleep(self.args.down_for)
        await self.listen()
        print("up", flush=True)

    async def _flush_every_second(self):
        while True:
            await asyncio.sleep(1)
            self.out.flush()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--down-at", type=float, default=0.0)
    parser.add_argument("--down-for", type=float, default=0.0)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    asyncio.run(Receiver(args).main())
    return 0


if __name__ == "__main__":
    sys.exit(main())
