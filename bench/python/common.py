"""Shared pieces of the Python side of the end-to-end benchmark (bench/run.ts): the study file's settings, step
timing, and the small statistics openbeat reports (Wilson intervals).

Each benchmark script is a list of named steps; `Steps` times them, so results.json shows where the time goes and a
new study step (calibration, a resampling comparison, null references, ...) is one more function in that list.
"""
import json
import math
import time

import yaml

T0 = time.perf_counter()


def study_settings(path, kind):
    """The study file's `risk:` or `segments:` block (YAML), so both sides run with the same settings."""
    with open(path) as f:
        study = yaml.safe_load(f)
    if study.get("kind") != kind:
        raise SystemExit(f"{path}: kind {study.get('kind')!r}, expected {kind!r}")
    return study, study[kind]


class Steps:
    """Times named steps: `with steps("cross_validation"): ...`; `steps.timings` maps names to seconds."""

    def __init__(self):
        self.timings = {}

    def __call__(self, name):
        steps = self

        class _Step:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                steps.timings[name] = steps.timings.get(name, 0.0) + time.perf_counter() - self.t

        return _Step()

    def finish(self):
        self.timings["total_s"] = time.perf_counter() - T0
        return self.timings


def wilson(positives, n, z=1.959963984540054):
    """Wilson score interval for a binomial proportion (openbeat's wilsonInterval)."""
    if n == 0:
        return [float("nan"), float("nan")]
    p = positives / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return [max(0.0, c - h), min(1.0, c + h)]


def _finite(obj):
    """NaN and infinities as null (strict JSON, as openbeat writes them): results.json is read by JSON.parse."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):
        return _finite(obj.tolist())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(_finite(obj), f, indent=2, default=float, allow_nan=False)
