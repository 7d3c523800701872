#!/usr/bin/env python3
"""A Galax bot in Python, standard library only: a botswarm process bot (docs/process-bots.md).

    botswarm play galax --bots "exec:python3 strategies/examples/galax_bot.py",random

botswarm sends one JSON object per line on stdin and reads one JSON object per line on stdout. Each game
starts with a "hello", then one "decide" per year (answer {"action": [moves]}), then a "result". The same
process plays game after game until stdin closes. Print debugging output to stderr, never to stdout.
"""
import json
import sys


def decide(observation):
    """Attack the nearest planet we outnumber two to one, keeping half our ships at home."""
    me = observation["player"]
    mine = [p for p in observation["planets"] if p["owner"] == me]
    # ships == -1: unknown under fog; those are left alone.
    targets = [p for p in observation["planets"] if p["owner"] != me and p["ships"] >= 0]
    moves = []
    for home in mine:
        spare = home["ships"] // 2
        weak = [t for t in targets if t["ships"] * 2 < spare]
        if not weak:
            continue
        nearest = min(weak, key=lambda t: (t["x"] - home["x"]) ** 2 + (t["y"] - home["y"]) ** 2)
        moves.append({"from": home["id"], "to": nearest["id"], "ships": spare})
    return moves


def main():
    games = 0
    for line in sys.stdin:
        message = json.loads(line)
        kind = message["type"]
        if kind == "hello":
            games += 1
        elif kind == "decide":
            print(json.dumps({"action": decide(message["observation"])}), flush=True)
        elif kind == "result":
            result = message["result"]
            seat = message["seat"]
            if "--verbose" in sys.argv:
                print(f"game {games}: rank {result['ranks'][seat]}", file=sys.stderr)


if __name__ == "__main__":
    main()
