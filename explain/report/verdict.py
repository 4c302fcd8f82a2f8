"""The verdict: the report's numbers, said in words, and nothing the numbers do not say.

Each model gets one sentence, written only from its numbers. Where it looks
comes from the methods' mean enrichments E (enrichment.py), through their median:

    median E < 1          "relies on the background"
    1 <= median E < 1.5   "looks at the object hardly more than at the background"
    median E >= 1.5       "looks at the object"

unless the methods disagree (one below 1, one at 1.5 or above): then the
explanations are "contradictory", and the reader is told so. LIME, when run, is
the lead method, quoted first with what its number means. Then the accuracy, and
the methods that fail the randomisation check. With several models, one more
sentence follows the lead method's E from model to model (biased -> de-biased).
Read next: explain/report/figures.py (the pictures beside the numbers).
"""
import numpy as np

from .methods import SHORT_TITLES
from .numbers import format_number


def enrichment_words(value, object_name):
    """What one enrichment number says, for a reader who has not read the docstring."""
    if value < 1:
        return f"below 1: it looks away from the {object_name}"
    if value < 1.5:
        return f"close to 1: it looks at the {object_name} hardly more than at random"
    return f"above 1: it concentrates on the {object_name}"


def verdict_sentences(models_numbers, object_name="object"):
    """One sentence per model from its numbers, then how the lead method moved across models."""
    sentences, lead_values = [], []
    for name, numbers in models_numbers.items():
        quality = numbers.get("quality", {})
        enrichment = {m: q["enrichment"]["mean"] for m, q in quality.items()
                      if q.get("enrichment") and q["enrichment"]["mean"] is not None}
        if enrichment:
            lead = "lime" if "lime" in enrichment else next(iter(enrichment))
            parts = [_where_it_looks(name, enrichment, lead, object_name)]
            lead_values.append((name, lead, enrichment[lead]))
        else:
            parts = [f"The model \u201c{name}\u201d: no object masks, so where it looks is not measured."]
        accuracy = numbers.get("accuracy")
        if accuracy:
            parts.append("Accuracy " + ", ".join(f"{format_number(v)} on {k}" for k, v in accuracy.items()) + ".")
        randomization = _randomization_words(quality)
        if randomization:
            parts.append(randomization)
        sentences.append(" ".join(parts))
    if len(lead_values) > 1 and len({lead for _, lead, _ in lead_values}) == 1:
        lead = lead_values[0][1]
        path = " \u2192 ".join(f"{format_number(v)} ({name})" for name, _, v in lead_values)
        sentences.append(f"{SHORT_TITLES.get(lead, lead)} enrichment across the models: {path}; 1 means no "
                         f"more mass on the {object_name} than a random map.")
    return sentences


def _where_it_looks(name, enrichment, lead, object_name):
    """The claim made from the median enrichment (module docstring), then the lead's and the others' E."""
    values = sorted(enrichment.values())
    middle = float(np.median(values))
    if values[0] < 1 <= 1.5 <= values[-1]:
        claim = "gets contradictory explanations (some methods below 1, some above 1.5)"
    elif middle < 1:
        claim = "relies on the background"
    elif middle < 1.5:
        claim = f"looks at the {object_name} hardly more than at the background"
    else:
        claim = f"looks at the {object_name}"
    others = ", ".join(f"{SHORT_TITLES.get(m, m)} {format_number(v)}" for m, v in enrichment.items() if m != lead)
    return (f"The model \u201c{name}\u201d {claim}: {SHORT_TITLES.get(lead, lead)} enrichment "
            f"{format_number(enrichment[lead])} ({enrichment_words(enrichment[lead], object_name)})"
            + (f"; {others}" if others else "") + ".")


def _randomization_words(quality):
    """Which methods fail the randomisation check, or that all pass; None if it was not run."""
    checks = {m: q["randomization"]["passed"] for m, q in quality.items() if q.get("randomization")}
    if not checks:
        return None
    failed = [SHORT_TITLES.get(m, m) for m, passed in checks.items() if not passed]
    return "Randomisation check: " + (
        "every method passes (its maps change when the weights are scrambled)." if not failed else
        f"{', '.join(failed)} fail{'s' if len(failed) == 1 else ''} (the maps barely change when the "
        "weights are scrambled, so they show the image more than the model).")
