"""References given to residents: ``SCC-`` followed by six characters from an unambiguous alphabet.

The alphabet leaves out 0/O and 1/I/L so a reference read over the phone cannot be misheard, and
references are drawn at random (not in sequence) so nobody can guess another resident's.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PREFIX = "SCC-"
LENGTH = 6

_CODE = rf"[{ALPHABET}]{{{LENGTH}}}"
# With the hyphen anything of the right shape is a reference. Written with a space or run
# together, it must contain a digit, so "SCC garden waste" is not read as reference SCC-GARDEN.
_VALID = re.compile(rf"\bSCC(?:-({_CODE})|[\s]?((?=[A-Z]*\d){_CODE}))\b", re.IGNORECASE)
# An attempt at a reference that has the wrong shape ("SCC-48213"), to tell "malformed" from
# "no reference at all": the hyphen form, or a code with a digit in it.
_REFERENCE_LIKE = re.compile(r"\bSCC(?:-[A-Z0-9]{1,12}|\s?(?=[A-Z]*\d)[A-Z0-9]{1,12})\b", re.IGNORECASE)


def new_reference() -> str:
    """Return a fresh random reference such as ``SCC-7KQ4XH``."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


@dataclass(frozen=True)
class ReferenceLookup:
    """What a message says about a reference.

    Attributes:
        reference: the normalised reference (upper case, with the hyphen), if a valid one was found.
        malformed: text that looks like an attempt at a reference but is not a valid one.
        span: where in the text the reference (or the attempt) is.
    """

    reference: str | None = None
    malformed: str | None = None
    span: tuple[int, int] | None = None

    @property
    def text(self) -> str | None:
        """The reference, or the malformed attempt at one."""
        return self.reference or self.malformed


def find_reference(text: str) -> ReferenceLookup:
    """Find a reference in free text, tolerating lower case and a space or no hyphen.

    >>> find_reference("any news on scc 7kq4xh?").reference
    'SCC-7KQ4XH'
    >>> find_reference("update on SCC-48213").malformed
    'SCC-48213'
    """
    valid = _VALID.search(text or "")
    if valid:
        code = (valid.group(1) or valid.group(2)).upper()
        return ReferenceLookup(reference=PREFIX + code, span=valid.span())
    like = _REFERENCE_LIKE.search(text or "")
    if like:
        return ReferenceLookup(malformed=like.group(0).upper(), span=like.span())
    return ReferenceLookup()
