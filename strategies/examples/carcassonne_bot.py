#!/usr/bin/env python3
"""A Carcassonne bot in Python, standard library only: a botswarm process bot (docs/process-bots.md).

    botswarm play carcassonne --bots "exec:python3 strategies/examples/carcassonne_bot.py",random

Carcassonne's engine enumerates the legal actions, so every "decide" request carries them in
"legalActions" and the bot only has to choose one: here, a follower whenever it can place one while it has
more than two left, else a random placement. Its random choices come from the hello's seed, so a game
replays the same offline and online.
"""
import json
import random
import sys


def main():
    rng = random.Random(0)
    seat = 0
    for line in sys.stdin:
        message = json.loads(line)
        kind = message["type"]
        if kind == "hello":
            rng = random.Random(message["seed"])
            seat = message["seat"]
        elif kind == "decide":
            observation = message["observation"]
            legal = message["legalActions"]
            followers = observation["followers"][seat]
            with_follower = [a for a in legal if a["meeple"] is not None]
            choices = with_follower if with_follower and followers > 2 else legal
            print(json.dumps({"action": rng.choice(choices)}), flush=True)
        # "result": nothing to do; the next game starts with another hello.


if __name__ == "__main__":
    main()
