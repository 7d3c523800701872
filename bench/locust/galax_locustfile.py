"""Galax 0.22 over raw TCP with gevent: the work of botswarm's `galax-play` scenario, for the Locust comparison
(bench/locust.bench.ts). Each user connects, shakes hands, pairs with the next user into a 2-player game (the first
of a pair creates it with JOIN 0, the second joins its id, player 1 starts it once player 2 is listed), and every
year thinks 0.5-1.5 s (1 s on average, as botswarm's --think 1s), then plays like botswarm's random strategy: with
probability 0.5 nothing, else each owned planet with ships sends, with probability 0.5, a random share of them to
another planet; then DONE. Each MOVE->MVOK round trip is reported to Locust as a request (type galax, name MOVE).

At the end the MOVE statistics are written as JSON to $GALAX_LOCUST_OUT (when set).
"""

import json
import os
import random
import socket
import time

import gevent
from gevent.event import AsyncResult
from locust import User, constant, events, task

HOST = os.environ.get("GALAX_HOST", "127.0.0.1")
PORT = int(os.environ.get("GALAX_PORT", "42529"))

# Pairing: the first user of each pair leaves its game id's future here; the second one takes it.
_open_game = None


class GalaxSession:
    def __init__(self, environment):
        self.env = environment
        self.sock = socket.create_connection((HOST, PORT))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")
        self.sent = []  # send times of the MOVEs in flight, oldest first

    def send(self, text):
        self.sock.sendall(text.encode("ascii"))

    def line(self):
        raw = self.reader.readline()
        if not raw:
            raise ConnectionError("server closed the connection")
        return raw.decode("latin-1").rstrip("\r\n")

    def expect(self, cmd):
        while True:
            line = self.line()
            if line.startswith(cmd):
                return line
            if line.startswith("ERR"):
                raise RuntimeError(line)

    def play(self):
        global _open_game
        self.expect("GSRV")
        self.send("GCLT 0.22 locust\r\n")
        self.expect("CLOK")
        self.expect("SLCT")
        if _open_game is None:
            # The first of a pair: creates the game and publishes its id to the next user.
            mine = _open_game = AsyncResult()
            self.send("JOIN 0\r\n")
            game = int(self.expect("JNOK").split()[1])
            mine.set(game)
            # Player 1 starts the game once player 2 is listed.
            while not self.line().startswith("GPLR 2"):
                pass
            self.send("PLAY\r\n")
        else:
            mine, _open_game = _open_game, None
            game = mine.get()
            self.send("JOIN %d\r\n" % game)
            self.expect("JNOK")
        me = 0
        planets = []
        incoming = []
        while True:
            line = self.line()
            cmd = line[:4]
            if cmd == "PLNT":
                _, pid, x, y, owner, ships, prod = line.split(" ")
                incoming.append((int(pid), int(owner), int(ships)))
            elif cmd == "YEAR":
                planets, incoming = incoming, []
                gevent.sleep(random.uniform(0.5, 1.5))
                out = []
                if random.random() < 0.5:
                    n = len(planets)
                    for pid, owner, ships in planets:
                        if owner != me or ships < 1 or random.random() < 0.5:
                            continue
                        to = random.randint(0, n - 2)
                        if to >= pid:
                            to += 1
                        out.append("MOVE %d %d %d\r\n" % (pid, to, max(1, int(ships * (0.1 + 0.9 * random.random())))))
                now = time.perf_counter()
                self.sent.extend([now] * len(out))
                out.append("DONE\r\n")
                self.send("".join(out))
            elif cmd == "MVOK" or cmd == "ERRM" or cmd == "ERRP":
                started = self.sent.pop(0)
                parts = line.split(" ")
                self.env.events.request.fire(
                    request_type="galax",
                    name="MOVE",
                    response_time=(time.perf_counter() - started) * 1000,
                    response_length=len(line),
                    exception=None if cmd == "MVOK" else RuntimeError(line),
                    context={},
                )
                if cmd == "MVOK" and len(parts) != 5:
                    raise RuntimeError("bad MVOK: " + line)
            elif cmd == "GFLD":
                me = int(line.split(" ")[5])
            elif cmd == "WINN":
                return
            elif cmd.startswith("ERR"):
                raise RuntimeError(line)


class GalaxPlayer(User):
    wait_time = constant(0)

    @task
    def session(self):
        s = GalaxSession(self.environment)
        try:
            s.play()
        finally:
            s.sock.close()


@events.quitting.add_listener
def _write_stats(environment, **_kwargs):
    path = os.environ.get("GALAX_LOCUST_OUT")
    if not path:
        return
    entry = environment.stats.get("MOVE", "galax")
    pct = {str(p): entry.get_response_time_percentile(p) for p in (0.5, 0.9, 0.99)}
    with open(path, "w") as f:
        json.dump({"moves": entry.num_requests, "failures": entry.num_failures, "percentilesMs": pct, "maxMs": entry.max_response_time}, f)
