"""``make eval``: the sealed set's scores first (the headline), then the sets that were sealed
before (a comparison), the development sets and the held-out intents. ``make eval-dev``
(``python -m evaluation --development``) scores only the development sets: use it while tuning,
so the sealed set stays unseen.

Only messages that are not also training examples are scored (a plain "hello" may be both).
By default the trained model is loaded in this process (the same pipeline the assistant runs);
``--url http://127.0.0.1:5005`` scores a running assistant's ``/model/parse`` instead (with the
token from ``RASA_TOKEN`` or ``var/rasa.token``). Every report is saved to ``var/evaluation.json``;
the messages each set got wrong are saved for the development sets only, so nobody reads the
sealed set's misses.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evaluation.detection import DetectionReport, format_report, score
from evaluation.intents import evaluate as score_intents
from evaluation.intents import load_examples as heldout_examples
from evaluation.labelled import DEVELOPMENT, EARLIER_SEALED, SEALED, load_set, training_texts, unseen
from evaluation.parsing import http_parser, model_parser
from wiring.kept_secrets import internal_tokens
from wiring.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "var" / "evaluation.json"
MODEL = ROOT / "models" / "council.tar.gz"


def _summary(report: DetectionReport, keep_misses: bool) -> dict[str, Any]:
    data = asdict(report)
    if not keep_misses:
        data["misses"] = f"{len(report.misses)} (not saved: the sealed set's misses are never read)"
    return data


def main(argv: list[str] | None = None) -> int:
    """Score the sets and print the reports; exit 1 when a sealed-set target is missed."""
    parser = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__)
    parser.add_argument("--development", action="store_true", help="score only the development sets")
    parser.add_argument("--url", help="score a running assistant's /model/parse instead of the model file")
    parser.add_argument("--model", type=Path, default=MODEL, help="the model file to score (default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.development and not SEALED.exists():
        print(f"{SEALED.name} has not been added yet: `make eval-dev` scores the development sets", file=sys.stderr)
        return 2
    parse = http_parser(args.url, internal_tokens(load_settings()).rasa) if args.url else model_parser(args.model)
    results: dict[str, Any] = {}
    sealed_met = True
    trained = training_texts()
    if not args.development:
        sealed = score(f"SEALED {SEALED.stem}", unseen(load_set(SEALED), trained), parse)
        print(format_report(sealed), "\n")
        results["sealed"] = _summary(sealed, keep_misses=False)
        sealed_met = all(met for *_, met in sealed.target_results())
        for path in EARLIER_SEALED:  # once sealed, scored since: a comparison, never tuned on
            earlier = score(f"earlier sealed {path.stem} (scored before)", unseen(load_set(path), trained), parse)
            print(format_report(earlier), "\n")
            results[path.stem] = _summary(earlier, keep_misses=False)
    for path in DEVELOPMENT:
        report = score(f"development {path.stem}", unseen(load_set(path), trained), parse)
        print(format_report(report), "\n")
        results[path.stem] = _summary(report, keep_misses=True)
    intents = score_intents(parse, heldout_examples())
    print(
        f"== held-out intents: accuracy {intents.intent_accuracy:.3f} of {intents.messages}, "
        f"service codes {intents.service_accuracy:.3f} of {intents.service_messages}"
    )
    results["heldout_intents"] = asdict(intents)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(results, indent=2))
    print(f"Saved to {REPORT}")
    return 0 if sealed_met else 1


if __name__ == "__main__":
    sys.exit(main())
