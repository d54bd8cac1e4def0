"""Whose risk a message shows: the resident's own, or someone else's (a child or an adult in another home).

"My husband hits me" is the resident's risk; "the little boy next door is crying every night and his
parents scream at him" is a concern about someone else. The routes differ: the resident at risk is
given 999 and the helplines for their own crisis; a resident worried about someone else is thanked
and given the people to tell (children's services or adult social care, the NSPCC, the police).

Only the kinds of risk that are about a person can be someone else's (self-harm, domestic abuse,
exploitation, a child or adult at risk). A gas leak or a fire is a danger to whoever is there, and
its routes are the same. The rules are plain patterns, in the order below, so staff and tests can
see why: the resident saying it is not about them; the resident as the one harmed ("hits me", "I've
fallen", "I'm scared of him"); then a worry about, or a person who is, someone else. Otherwise the
message is taken to be about the resident, which gives them their own routes: the safer mistake.

For a concern about someone else, domestic abuse and exploitation become an adult or child at risk
(the people to tell are the same), named by whether the message is about a child.
"""

from __future__ import annotations

import re

SELF = "self"
OTHER = "other"
# The kinds of risk that are about a person, so can be about someone else.
PERSON_KINDS = frozenset({"self_harm", "domestic_abuse", "exploitation", "child_at_risk", "adult_at_risk"})
CHILD_KIND = "child_at_risk"
ADULT_KIND = "adult_at_risk"
# Kinds whose routes for someone else are their own (thoughts of suicide: 999 and NHS 111 for them).
KEPT_FOR_OTHERS = frozenset({"self_harm"})


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


_I = r"(?:i'?m|im|i am)"
# The resident says the risk is not theirs.
_NOT_ME = _any(
    r"\b(?:it'?s|its|it is|this is|this isn'?t|it isn'?t|not) (?:not )?(?:about|for) me\b",
    r"\b(?:it'?s|its|it is|this is) not me\b",
    r"\bnot me\b",
    rf"\b{_I} not the one\b",
    rf"\b(?:no,? )?{_I} (?:fine|ok|okay|safe|alright|all right),? (?:it'?s|its|it is|but) "
    r"(?:the|my|a|our|his|her|their)\b",
    r"\b(?:it'?s|its|it is|about|for) someone else\b",
)
# The resident is the one harmed, threatened, controlled or in danger.
_HARMED = (
    r"hits?|hitting|hurts?|hurting|beats?|beating|beat|kicks?|kicked|kicking|punch\w*|slaps?|slapped|"
    r"push(?:es|ed|ing)?|shoves?|shoved|threaten\w*|attack\w*|control\w*|bull(?:y|ies|ied|ying)|rap\w*|"
    r"touch(?:es|ed|ing)?|strangl\w*|chok\w*|locks?|locked|follow\w*|stalk\w*|scares?|scared|frighten\w*|"
    r"kill|batter|stab|groom\w*|blackmail\w*|exploit\w*|abus\w*|forc\w*|makes?|made|making|"
    r"got|get|gets|keeps?|kept|(?:shouts?|shouting|screams?|screaming|swears?|swearing|yells?|yelling) at"
)
_SELF = _any(
    rf"\b(?:{_HARMED}) (?:me|us|myself)\b",
    r"\b(?:abusive|violent|horrible|nasty|cruel) to (?:me|us)\b",
    r"\b(?:my|our) (?:own )?(?:money|pension|savings|bank|cards?|benefits|passports?|wages|house|flat|home|will|pin)\b",
    r"\bin my name\b",
    r"\b(?:taken over|took over|moved into|using) (?:my|our) (?:flat|home|house|place)\b",
    r"\b(?:using|use|used) mine\b",
    rf"\b{_I} (?:so |really |very )?(?:scared|afraid|frightened|terrified) (?:of|to go)\b",
    r"\b(?:i'?ve|ive|i have|i) (?:just )?(?:fallen|fell|had a fall|collapsed)\b",
    rf"\b{_I} (?:on the floor|stuck|trapped|not safe|not allowed|being)\b",
    r"\b(?:won'?t|doesn'?t|does not|will not) let me\b",
    rf"\b{_I} (?:only )?\d{{1,2}}\b(?! ?(?:miles?|mins?|minutes?|hours?|hrs?|km|k|%|pm|am|st|nd|rd|th)\b)",
    r"\bme and (?:the |my )?(?:\w+ )?(?:kids|children|baby|babies|little ones?)\b",
    # ("end it all" is not here: "he keeps saying he wants to end it all" is his.)
    r"\b(?:kill|hurt|cut|harm|burn|hang|top|end) (?:my ?self|my life)\b",
    r"\bi (?:want|wanna|am going|'m going|need) to (?:die|end)\b",
    r"\bmy (?:carer|lodger|support worker|boss|pimp|dealer)\b",
    r"\b(?:borrow\w*|tak(?:e|es|ing|en)|took|steal\w*|stole|money|cash) (?:\w+ )?(?:off|from|out of) me\b",
    r"\b(?:took|taken|takes) (?:everything|all) (?:i|from me)\b",
    r"\bif i (?:don'?t|do not|won'?t|report|tell|leave|say|talk)\b",
    r"\bi owe\b",
    r"\b(?:send|sends|sending|sent) (?:me|us) (?:to|away|back|out)\b",
    r"\b(?:me|us|we|i) (?:came|come|was brought|were brought) (?:over|here|to)\b",
    r"\b(?:i|we) (?:have been|'ve been|ve been|was|were|am being|'m being|are being|got) (?:sold|trafficked|brought|"
    r"taken|kept|locked|held|forced|made|smuggled)\b",
    r"\bi (?:have|'ve|ve) (?:got )?to (?:hold|carry|sell|deliver|keep|hide|stash|run|do|work)\b",
    r"\bi (?:can'?t|cannot|daren'?t|dare not) (?:say no|stop (?:him|her|them)|get (?:away|out))\b",
)
# A worry about someone else, said outright (or a worker reporting what they saw).
_PERSON = (
    r"child|children|kids?|boy|girl|baby|toddler|man|woman|lady|gentleman|gent|chap|fella|bloke|lad|teenager|"
    r"pupil|client|patient|resident|tenant|customer|couple|family|person|neighbou?r|people|men|women|girls|boys"
)
_RELATIVE = (
    r"mum|mother|mom|dad|father|nan|nanna|gran|granny|grandma|grandad|grandpa|son|daughter|brother|sister|friend|"
    r"mate|uncle|aunt|auntie|nephew|niece|cousin|grandson|granddaughter|grandchild|grandkids|kids|children|child|"
    r"baby|boy|girl|lad|little one|flatmate|housemate|stepson|stepdaughter|mother-in-law|father-in-law|"
    r"sister-in-law|brother-in-law|pupils?|clients?|patients?|tenants?"
)
_CONCERN = _any(
    rf"\b(?:worried|concerned|worry|fears?) (?:sick )?(?:about|for) (?:(?:the|a|an|this|that|some|our) (?:\w+ ){{0,2}}?"
    rf"(?:{_PERSON})|my (?:\w+ )?(?:{_RELATIVE}|neighbou?r)|him|her|them|\w+'s|next door|neighbou?r)",
    r"\b(?:raise|report|make|made) (?:a )?(?:concern|worry|safeguarding|referral)\b",
    r"\bsafeguarding (?:concern|referral|alert|lead)\b",
    r"\brefer(?:ral|ring|red)?\b",
    r"\b(?:i'?m|im|i am|as) (?:a|an|the) (?:[\w-]+ ){0,3}?(?:nurse|teacher|ta|worker|carer|childminder|minder|midwife|"
    r"visitor|volunteer|driver|officer|manager|lead|coach|leader|assistant|receptionist|gp|doctor|dentist|"
    r"librarian|warden|cashier|tutor|supervisor|lady|postie|cleaner|hairdresser|pharmacist|paramedic)\b",
    r"\bone of (?:my|our) (?:pupils|clients|patients|customers|residents|tenants|regulars|mindees|cubs|kids|children|"
    r"service users|players|members|students|class)\b",
)
_PLACE = _any(
    r"\b(?:next door|neighbou?r\w*|upstairs|downstairs|across the (?:road|street|landing|way)|opposite|over the road|"
    r"number \d+|flat \d+|on our (?:street|road|landing|estate|parade)|"
    r"the (?:flat|house|room) (?:below|above|opposite))\b",
)
_SOMEONE = _any(
    rf"\bmy (?:\w+ )?(?:{_RELATIVE})\b",
    r"\b(?:mum|dad|nan|nanna|gran|granny|grandma|grandad|grandpa|auntie|aunty)(?:'s|s)?\b",
    r"\b(?:someone|somebody|a person|people)\b",
    r"\b(?:the|a|an|this|that) (?:old|little|young|elderly|older|vulnerable|disabled|poor)\b",
    rf"\b(?:old|little|young|elderly|older|vulnerable|frail|confused|disabled) (?:\w+ )?(?:{_PERSON})\b",
    rf"\b(?:the|a|an|this|that|some|his|her|their) (?:{_PERSON})\b",
)
# A relative or friend as the one at risk (not a relative's phone or flat the resident is using).
_THEIR_RELATIVE = _any(
    rf"\bmy (?:\w+ )?(?:{_RELATIVE})\b(?!'?s? (?:phone|laptop|tablet|computer|ipad|house|flat|place|sofa|address))"
)
_PARTNER = r"husband|wife|partner|boyfriend|girlfriend|fianc\w*"
_THIRD_PERSON = _any(r"\b(?:he|she|him|her|his|hers|they|them|their|himself|herself|themselves)\b")
# Someone else's thoughts of suicide or self-harm: a third person doing or saying it, or "himself".
_THEIR_SELF_HARM = _any(
    r"\b(?:him|her|them)(?:self|selves)\b",
    rf"\b(?:(?:he|she|they)(?:'s|'ll|'re)?|my (?:\w+ )?(?:{_RELATIVE}|{_PARTNER})"
    r"(?:'s (?=been|going|gonna|got|just|saying|threatening|stood|standing|locked|written|cutting|taken|swallowed|"
    r"on|in|run|gone|left)\w+)?)"
    r"(?: is| are| has| have| had| keeps| kept| says| said| told me| wants| tried| will| just| won't| can't)?"
    r"(?:(?! (?:i|me|my|i'm|im)\b) \S+){0,6}? (?:die|dying|dead|end (?:it|his|her|their)|kill|overdos\w*|pills|"
    r"tablets|cut|cutting|cuts|hang|hanging|jump|suicid\w*|self.?harm\w*)\b",
    rf"\b(?:he|she|they|my (?:\w+ )?(?:{_RELATIVE}|{_PARTNER}))(?: \S+){{0,3}}? "
    r"(?:texted|posted|put|left|wrote|sent)(?: \S+){0,2}? (?:goodbye|a note|notes?)\b",
)
_CHILD = _any(
    r"\b(?:child|children|childs|kids?|kiddies|baby|babies|babys|toddlers?|newborn|infant|boys?|girls?|"
    r"little (?:one|ones|lad|girl|boy|un)|teen\w*|pupils?|schoolboy|schoolgirl|under.?(?:\d+)s|youngsters?)\b",
    r"\b(?:[1-9]|1[0-7]) ?(?:yrs?|years?|yo|y/o|month|months|week|weeks)(?: old)?\b",
    r"\b(?:year|yr) (?:[1-9]|1[0-3])s?\b",
    r"\b(?:(?:he|she|who|son|daughter|boy|girl|lad|kid|child|mate|friend|nephew|niece|grandson|granddaughter|"
    r"brother|sister|cousin)(?:'s| is)|aged|age|older than) (?:only |about )?(?:[1-9]|1[0-7])\b"
    r"(?! ?(?:miles?|mins?|minutes?|hours?|hrs?|%|pm|am|st|nd|rd|th)\b)",
    r"\b(?:granddaughter|grandson|grandkids|grandchild(?:ren)?|nephew|niece|stepson|stepdaughter)\b",
)
# Words that leave open whether someone is a child: they keep a child at risk a child.
_YOUNG = _any(r"\b(?:lads?|sons?|daughters?|young|youth|school|students?|cousin|i coach|i teach|i mind)\b")
_ADULT = _any(
    r"\b(?:mum|mother|mom|dad|father|nan|nanna|gran|granny|grandma|grandad|grandpa|husband|wife|uncle|aunt|auntie|"
    r"man|woman|lady|gentleman|gent|chap|fella|bloke|elderly|pensioner|old|adult)\b",
)


# The resident's own family (not friends, neighbours, partners or people in their care at work).
_FAMILY = (
    r"mum|mother|mom|mam|dad|father|nan|nanna|nana|gran|granny|grandma|grandmother|grandad|grandpa|grandfather|"
    r"son|daughter|brother|sister|uncle|aunt|auntie|aunty|nephew|niece|cousin|grandson|granddaughter|grandchild|"
    r"grandkids|stepson|stepdaughter|stepmum|stepdad|parents?|mother-in-law|father-in-law|sister-in-law|"
    r"brother-in-law|kids|children|child|baby|little one"
)
_THEIR_FAMILY = _any(
    rf"\b(?:my|our) (?:\w+ )?(?:{_FAMILY})\b(?!'?s? (?:phone|laptop|tablet|computer|ipad|sofa))",
    r"^(?:mum|mam|dad|nan|nanna|gran|granny|grandma|grandad|grandpa)\b",
)


def their_family(text: str) -> str | None:
    """The words naming the resident's own family member ("my dad", "Mum is 88"), if any.

    When the one at risk is family, the resident is acting for them, and what that person needs
    (their age, say) is what the council's answer must fit: unlike a neighbour's or a stranger's.
    """
    found = _THEIR_FAMILY.search(text)
    return found.group(0) if found else None


def subject_of(text: str, kind: str | None) -> str:
    """``"other"`` when the risk in ``text`` is someone else's, else ``"self"`` (always for a kind not about a person).

    The evidence needed depends on the kind: a message about self-harm or domestic abuse is the
    resident's own unless it says plainly it is someone else's (taking it for someone else's would
    leave out the resident's own helplines); for an adult or child at risk, anyone else named as the
    one at risk is enough. With no kind named, a worry about someone else said outright, or someone
    else named with "she" or "he", as for domestic abuse.
    """
    if kind not in PERSON_KINDS and kind != "unknown":
        return SELF
    if _NOT_ME.search(text):
        return OTHER
    if _SELF.search(text):
        return SELF
    if kind == "self_harm":
        return OTHER if _THEIR_SELF_HARM.search(text) or _CONCERN.search(text) else SELF
    if kind == "unknown" and _CONCERN.search(text):
        return OTHER
    named = _PLACE.search(text) or _THEIR_RELATIVE.search(text) or _CONCERN.search(text)
    if kind == "exploitation":
        return OTHER if named or _SOMEONE.search(text) or is_about_a_child(text) else SELF
    if kind in ("domestic_abuse", "unknown"):
        return OTHER if named and _THIRD_PERSON.search(text) else SELF
    if _CONCERN.search(text):
        return OTHER
    someone = _PLACE.search(text) or _SOMEONE.search(text) or _THIRD_PERSON.search(text) or is_about_a_child(text)
    return OTHER if kind in (CHILD_KIND, ADULT_KIND) and someone else SELF


def is_about_a_child(text: str) -> bool:
    """Whether ``text`` is about a child (a child, a baby, a pupil, a 13 year old...)."""
    return bool(_CHILD.search(text))


def kind_for_subject(kind: str, subject: str, text: str) -> str:
    """The kind of risk that chooses the routes: for someone else's risk, a child or an adult at risk.

    The kind classifier's child or adult is kept unless the words say otherwise ("my mum has gone
    missing" is an adult; "the kids next door are left alone" a child); a concern about someone else
    with no kind named, or about domestic abuse or exploitation, becomes a child or adult at risk (as
    does "it's not me, it's the boy next door" when the classifier guessed self-harm).
    """
    if subject != OTHER:
        return kind
    if kind in KEPT_FOR_OTHERS and (_THEIR_SELF_HARM.search(text) or not _NOT_ME.search(text)):
        return kind  # someone else's thoughts of suicide: 999 and NHS 111 for them
    child = is_about_a_child(text)
    if kind == CHILD_KIND and not child and not _YOUNG.search(text) and _ADULT.search(text):
        return ADULT_KIND
    if kind == ADULT_KIND and child and not _ADULT.search(text):
        return CHILD_KIND
    if kind in (CHILD_KIND, ADULT_KIND):
        return kind
    return CHILD_KIND if child else ADULT_KIND
