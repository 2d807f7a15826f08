"""How often each procedure is asked about: the prior that tips near-equal evidence
towards the procedures citizens ask most (fitted by bench/fit_priors.py, read by
knowledge.match.Matcher)."""
from __future__ import annotations

import json
from pathlib import Path

PRIOR_PATH = Path(__file__).with_name("asked_prior.json")


def load_prior(path: Path = PRIOR_PATH) -> dict:
    """{"weight": w, "counts": {code: how often asked}} (bench/fit_priors.py); {} if none."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
