#!/usr/bin/env python3
"""mini-swe-agent's own Docker environment, timed on the engine DOCKER_HOST names: how long its
container start takes (`DockerEnvironment(...)`, a `docker run -d` through the CLI) and one
command (`execute`, a `docker exec … bash -lc` through the CLI). Prints one JSON object.

Run inside a virtual environment with mini-swe-agent installed (Scripts/bench-swarm makes one).
"""
import argparse
import json
import statistics
import sys
import time


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", required=True)
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--commands", type=int, default=50)
    args = parser.parse_args()

    from minisweagent import __version__
    from minisweagent.environments.docker import DockerEnvironment

    starts, commands = [], []
    for _ in range(args.starts):
        began = time.perf_counter()
        env = DockerEnvironment(image=args.image, cwd="/testbed")
        starts.append((time.perf_counter() - began) * 1000)
        try:
            for _ in range(max(1, args.commands // args.starts)):
                began = time.perf_counter()
                out = env.execute({"command": "echo hi"})
                commands.append((time.perf_counter() - began) * 1000)
                if out.get("returncode") != 0:
                    print(f"mini-swe-agent: echo failed: {out}", file=sys.stderr)
                    return 1
        finally:
            env.cleanup()
    print(json.dumps({
        "mini_swe_agent_version": __version__,
        "start_p50_ms": round(statistics.median(starts), 3),
        "start_p95_ms": round(percentile(starts, 0.95), 3),
        "command_p50_ms": round(statistics.median(commands), 3),
        "samples": {"starts": len(starts), "commands": len(commands)},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
