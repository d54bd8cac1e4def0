"""Score detection without a trained model file: the classifiers are fitted in this process.

``rasa train`` takes minutes; fitting the project's own classifiers (the intent classifier, the
service classifier and the support-need detector) on the same data takes well under a minute. This
module fits them the way the NLU components do (``bot/nlu/intent_classifier.py``,
``bot/nlu/council_entities.py``, ``bot/nlu/support_needs.py``) and gives a parse function in the
shape of ``/model/parse`` (intent, service entities, ``support_needs``), so detection can be tuned
and its figures compared before and after a change without retraining the assistant.

DIET is not fitted (it finds only entities other than the service), so this parse has none of
those. ``python -m evaluation.in_process`` scores the development sets, never the sealed ones.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from evaluation.detection import DetectionReport, format_report, score
from evaluation.labelled import DEVELOPMENT, load_set, training_texts, unseen
from evaluation.parsing import Parse
from routing.catalogue import default_catalogue
from routing.cue_lexicon import CueLexicon, default_lexicon
from routing.service_detection import detect_services, training_pairs
from routing.support_needs import Example, SupportNeedDetector, check_categories, load_examples, train
from routing.textclassifier import MultiLabelTextClassifier, SingleLabelTextClassifier

ROOT = Path(__file__).resolve().parent.parent
# The pipeline's FallbackClassifier (config.yml): below this, or with the top two this close, the
# intent becomes ``nlu_fallback`` (the support-need detector still sees the classifier's own intent).
FALLBACK_THRESHOLD = 0.3
AMBIGUITY_THRESHOLD = 0.02


@dataclass(frozen=True)
class Pipeline:
    """The fitted classifiers, and a parse function over them."""

    intents: SingleLabelTextClassifier
    services: MultiLabelTextClassifier
    detector: SupportNeedDetector

    def parse(self, text: str) -> dict[str, Any]:
        """What ``/model/parse`` would give for ``text``, less DIET's entities."""
        ranking = self.intents.ranking(text)
        name, confidence = ranking[0]
        needs = self.detector.detect(text, name, confidence)
        shown = name
        runner_up = ranking[1][1] if len(ranking) > 1 else 0.0
        if confidence < FALLBACK_THRESHOLD or confidence - runner_up < AMBIGUITY_THRESHOLD:
            shown = "nlu_fallback"
        services = detect_services(text, default_catalogue(), self.services)
        return {
            "text": text,
            "intent": {"name": shown, "confidence": confidence},
            "entities": [{"entity": "service", "value": match.code, "cue": match.cue} for match in services],
            "support_needs": [need.as_output() for need in needs],
        }


def _nlu_examples() -> Any:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(
        training_data_paths=[str(ROOT / "data")], domain_path=str(ROOT / "domain.yml")
    )
    return importer.get_nlu_data()


def fit(lexicon: CueLexicon | None = None, extra_examples: Sequence[Example] = ()) -> Pipeline:
    """Fit the intent, service and support-need classifiers on the project's data (as ``rasa train`` does)."""
    from bot.nlu.intent_classifier import intent_training_pairs
    from bot.nlu.support_needs import nlu_example

    lexicon = lexicon or default_lexicon()
    data = _nlu_examples()
    intent_messages = [message for message in data.intent_examples if message.get("text")]
    intents = SingleLabelTextClassifier.fit(
        *intent_training_pairs(
            [str(message.get("text")) for message in intent_messages],
            [str(message.get("intent")) for message in intent_messages],
        )
    )
    synonyms = {key.lower(): value for key, value in data.entity_synonyms.items()}
    service_pairs = [
        (
            str(message.get("text")),
            [
                synonyms.get(str(entity.get("value")).lower(), str(entity.get("value")))
                for entity in message.get("entities", [])
                if entity.get("entity") == "service"
            ],
        )
        for message in data.nlu_examples
        if message.get("text")
    ]
    services = MultiLabelTextClassifier.fit(*training_pairs(service_pairs, default_catalogue()))
    labelled = load_examples() + list(extra_examples)
    known = {example.text.lower() for example in labelled}
    from_nlu = [nlu_example(message) for message in data.nlu_examples]
    examples = labelled + check_categories(
        example for example in from_nlu if example is not None and example.text.lower() not in known
    )
    models = train(examples, lexicon)
    return Pipeline(intents, services, SupportNeedDetector(lexicon, models))


def score_development(parse: Parse) -> list[DetectionReport]:
    """Score each development set (only its messages that are not training examples)."""
    trained = training_texts()
    return [score(f"development {path.stem}", unseen(load_set(path), trained), parse) for path in DEVELOPMENT]


def main(argv: list[str] | None = None) -> int:
    """Fit in this process, score the development sets, print the reports and save them as JSON."""
    parser = argparse.ArgumentParser(prog="python -m evaluation.in_process", description=__doc__)
    parser.add_argument("--save", type=Path, help="write the reports (with the misses) to this JSON file")
    args = parser.parse_args(argv)
    started = time.monotonic()
    pipeline = fit()
    print(f"fitted in {time.monotonic() - started:.0f} s", file=sys.stderr)
    reports = score_development(pipeline.parse)
    for report in reports:
        print(format_report(report), "\n")
    if args.save:
        args.save.write_text(json.dumps([asdict(report) for report in reports], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
