#!/usr/bin/env python3
"""An outside trainer for URLVR Lab, with Python's standard library only.

It speaks MLflow's tracking REST API the way MLflow's Python client does (the same endpoints,
fields, bearer token and retries), so it runs anywhere a real trainer (verl, TRL) would, and shows
what such a trainer must send for its run to rank on the leaderboard: the tags base_model and
reward_method=majority_vote, and the metric train/reward_accuracy at every step.

The "training" is synthetic: a test-time RL (majority vote) reward accuracy that rises, then decays
and collapses below 0.01 at exactly --collapse-step, with noise drawn from --seed (the same seed
gives the same curve).

Environment (a runner sets the first four when it launches a run of an external base model):
  MLFLOW_TRACKING_URI     the dashboard, e.g. http://localhost:3000 (required)
  MLFLOW_TRACKING_TOKEN   sent as "Authorization: Bearer <token>" (npm run token -- create NAME)
  MLFLOW_RUN_ID           log into this run; without it a run is created
  MLFLOW_EXPERIMENT_ID    the experiment of a created run; else MLFLOW_EXPERIMENT_NAME (created if
                          missing); else the default experiment "0"

  python3 examples/outside-trainer/train.py --base-model Qwen2.5-7B --steps 100 --collapse-step 60
"""
import argparse
import json
import math
import os
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

METRIC = "train/reward_accuracy"
RETRY_STATUSES = {429, 500, 502, 503, 504}  # MLflow's client retries these, with backoff


class MlflowApi:
    def __init__(self, uri, token):
        self.base = uri.rstrip("/") + "/api/2.0/mlflow/"
        self.headers = {"Content-Type": "application/json", "User-Agent": "urlvr-outside-trainer-example"}
        if token:
            self.headers["Authorization"] = "Bearer " + token

    def call(self, method, endpoint, body):
        url = self.base + endpoint
        data = None
        if method == "GET":
            url += "?" + urllib.parse.urlencode(body)
        else:
            data = json.dumps(body).encode("utf-8")
        for attempt in range(6):
            request = urllib.request.Request(url, data=data, headers=self.headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read().decode("utf-8") or "{}")
            except urllib.error.HTTPError as err:
                text = err.read().decode("utf-8", "replace")
                if err.code not in RETRY_STATUSES or attempt == 5:
                    raise RuntimeError(f"{method} {endpoint}: HTTP {err.code}: {text}") from None
            except urllib.error.URLError as err:
                if attempt == 5:
                    raise RuntimeError(f"{method} {endpoint}: {err.reason}") from None
            time.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")


def now_ms():
    return int(time.time() * 1000)


def reward_accuracy(step, collapse_step, rng):
    """Rises to a peak at 40% of the way to the collapse, decays, then falls below 0.01 at collapse_step."""
    if step >= collapse_step:
        return round(rng.uniform(0.0, 0.008), 6)
    peak = max(1, (collapse_step - 1) * 2 // 5)
    if step <= peak:
        base = 0.35 + 0.45 * step / peak
    else:
        base = 0.05 + 0.75 * (collapse_step - 1 - step) / max(1, collapse_step - 1 - peak)
    return round(min(1.0, max(0.02, base + rng.uniform(-0.02, 0.02))), 6)


def resolve_run(api, args):
    run_id = os.environ.get("MLFLOW_RUN_ID")
    tags = [{"key": "base_model", "value": args.base_model}, {"key": "reward_method", "value": "majority_vote"}]
    if run_id:
        # As mlflow.start_run(run_id=...) does: read the run, mark it running.
        api.call("GET", "runs/get", {"run_id": run_id, "run_uuid": run_id})
        api.call("POST", "runs/update", {"run_id": run_id, "run_uuid": run_id, "status": "RUNNING"})
        return run_id, tags
    experiment_id = os.environ.get("MLFLOW_EXPERIMENT_ID")
    name = os.environ.get("MLFLOW_EXPERIMENT_NAME")
    if not experiment_id and name:
        try:
            experiment_id = api.call("GET", "experiments/get-by-name", {"experiment_name": name})["experiment"]["experiment_id"]
        except RuntimeError as err:
            if "RESOURCE_DOES_NOT_EXIST" not in str(err):
                raise
            experiment_id = api.call("POST", "experiments/create", {"name": name})["experiment_id"]
    created = api.call(
        "POST",
        "runs/create",
        {"experiment_id": experiment_id or "0", "run_name": args.run_name, "start_time": now_ms(), "tags": tags + [{"key": "mlflow.source.name", "value": "train.py"}]},
    )
    return created["run"]["info"]["run_id"], tags


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-model", default=os.environ.get("BASE_MODEL", "Qwen2.5-7B"))
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--collapse-step", type=int, default=60, help="first step with reward accuracy below 0.01")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-steps", type=int, default=10, help="steps per log-batch request")
    parser.add_argument("--run-name", default="outside-trainer-example")
    args = parser.parse_args()
    if args.steps < 1 or args.collapse_step < 2 or args.batch_steps < 1 or args.batch_steps * 3 > 1000:
        parser.error("need --steps >= 1, --collapse-step >= 2 and 1 <= --batch-steps <= 333")
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if not uri or not uri.startswith(("http://", "https://")):
        parser.error("set MLFLOW_TRACKING_URI to the dashboard's http(s) address")

    api = MlflowApi(uri, os.environ.get("MLFLOW_TRACKING_TOKEN"))
    run_id, tags = resolve_run(api, args)
    params = [
        {"key": "base_model", "value": args.base_model},
        {"key": "reward_method", "value": "majority_vote"},
        {"key": "seed", "value": str(args.seed)},
        {"key": "total_steps", "value": str(args.steps)},
        {"key": "trainer", "value": "examples/outside-trainer/train.py (synthetic)"},
    ]
    api.call("POST", "runs/log-batch", {"run_id": run_id, "params": params, "tags": tags, "metrics": []})
    print(f"run {run_id}: {args.steps} steps of {args.base_model}, majority vote, seed {args.seed}", flush=True)

    rng = random.Random(args.seed)
    batch = []
    for step in range(1, args.steps + 1):
        acc = reward_accuracy(step, args.collapse_step, rng)
        ts = now_ms()
        batch += [
            {"key": METRIC, "value": acc, "timestamp": ts, "step": step},
            {"key": "train/majority_ratio", "value": round(min(1.0, 0.45 + 0.55 * step / args.collapse_step), 6), "timestamp": ts, "step": step},
            {"key": "actor/entropy", "value": round(2.0 * math.exp(-3.0 * step / args.collapse_step), 6), "timestamp": ts, "step": step},
        ]
        if step == args.collapse_step:
            print(f"step {step}: {METRIC} = {acc} < 0.01: collapsed", flush=True)
        if len(batch) >= 3 * args.batch_steps or step == args.steps:
            api.call("POST", "runs/log-batch", {"run_id": run_id, "metrics": batch, "params": [], "tags": []})
            batch = []

    # As mlflow.end_run() does. A runner that launched this run keeps its own status (from the exit code).
    api.call("POST", "runs/update", {"run_id": run_id, "run_uuid": run_id, "status": "FINISHED", "end_time": now_ms()})
    print(f"run {run_id}: done", flush=True)


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as err:
        print(f"outside trainer failed: {err}", file=sys.stderr)
        sys.exit(1)
