"""UK phone numbers for callbacks, checked with the maintained ``phonenumbers`` library."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

# Numbers we would never call back: premium rate and the like cost the council or mean a typo.
_CALLABLE = {
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.UAN,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
}
_CANDIDATE = re.compile(r"(?:\+|\(?0)[\d\s()\-]{8,18}\d")


@dataclass(frozen=True)
class PhoneCheck:
    """The outcome of checking a number: the number to call in E.164 and as read out, or why not."""

    e164: str | None = None
    display: str | None = None
    problem: str | None = None


def check_uk_number(text: str) -> PhoneCheck:
    """Find and check a UK phone number in ``text`` ("07700 900123", "+44 23 8083 3000")."""
    match = _CANDIDATE.search(text or "")
    if match is None:
        return PhoneCheck(problem="I could not see a phone number in that. Please type it with the area code.")
    try:
        number = phonenumbers.parse(match.group(0), "GB")
    except NumberParseException:
        return PhoneCheck(problem="That does not look like a phone number. Please check it and try again.")
    if number.country_code != 44:
        return PhoneCheck(problem="I can only book calls to UK numbers. Please give a UK number.")
    if not phonenumbers.is_possible_number(number):
        return PhoneCheck(problem="That number looks too short or too long. Please check it and try again.")
    if not phonenumbers.is_valid_number(number):
        return PhoneCheck(problem="That is not a UK number we can call. Please check it and try again.")
    if phonenumbers.number_type(number) not in _CALLABLE:
        return PhoneCheck(problem="We cannot call that kind of number. Please give a mobile or landline number.")
    return PhoneCheck(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        display=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
    )
