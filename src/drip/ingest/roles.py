"""Which role a section plays, from its heading and its content, with the evidence kept.

The heading speaks first: a word that names a role outright ("Causes", "Symptoms", "Risk
factors") is strong; a word that only hints ("relief", "therapy", "can help", "why") is weak.
Then the content: a section that comes first with no text before it and no list is the
introduction, whatever its heading hints; the last section, when it is a call to action
("book an appointment", "contact us"), is the closing; a section whose heading names no role
takes one from the sentence that introduces its list ("Several factors can contribute to back
pain, including:") when the entries name conditions, or from what its entries are: care
("Exercise therapy", "Knee injections": treatments) or warning signs ("Swelling", "Numbness":
symptoms), when no heading of the article names that role already. Decoy lists (symptoms,
prevention tips, red flags, marketing bullets) never become causes or treatments: they carry
their own role, or none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drip import content

Role = content.Role
STRONG, WEAK = 0.9, 0.6


def _words(*words: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")


# Checked first, in this order: their words win over any other role's.
_FIRST: tuple[tuple[Role, re.Pattern[str]], ...] = (
    (Role.CLOSING, _words("conclusion", "conclusions", "summary", "the bottom line",
                          "bottom line", "final thoughts", "in closing", "takeaway",
                          "takeaways", "outlook", "wrapping up")),
    (Role.SEE_A_DOCTOR, _words("when to see", "see a gp", "see a doctor", "see your doctor",
                               "see your gp", "seek medical", "get medical", "medical help",
                               "urgent", "urgently", "emergency", "a&e", "red flags",
                               "warning signs", "serious problem", "when to call")),
    (Role.RISK_FACTORS, _words("risk factors", "risk factor", "at risk", "who gets")),
)  # fmt: skip
# (role, strong words, weak words): the earliest strong match wins, else the earliest weak.
_OTHERS: tuple[tuple[Role, re.Pattern[str], re.Pattern[str] | None], ...] = (
    (Role.SELF_CARE,
     _words("self-care", "self care", "home remedies", "home remedy", "at home", "yourself",
            "ease the pain", "exercises", "stretches", "stretching", "yoga",
            "what you can do", "things you can do"),
     _words("lifestyle", "moves")),
    (Role.CAUSES,
     _words("causes", "cause", "causing", "caused", "reasons", "reason", "what causes"),
     _words("why", "come from", "comes from", "triggers")),
    (Role.TREATMENTS,
     _words("treatments", "treatment", "treating", "treated", "treat", "therapies", "management",
            "managing", "remedies", "remedy", "what helps", "surgery", "medication",
            "medications", "medicines"),
     _words("therapy", "relief", "relieve", "can help", "helps", "help", "care",
            "rehabilitation", "physiotherapy", "chiropractic", "recovery")),
    (Role.SYMPTOMS, _words("symptoms", "symptom", "signs"),
     _words("check if", "what does it feel like", "how does it feel")),
    (Role.PREVENTION,
     _words("prevent", "prevention", "preventing", "preventive", "preventative"),
     _words("avoid", "avoiding")),
    (Role.DIAGNOSIS,
     _words("diagnosis", "diagnosing", "diagnosed", "tests", "assessment", "examination",
            "exam"),
     _words("appointment", "how do i know", "what to expect")),
)  # fmt: skip
# A sub-heading with one of these names a group of its own, not one thing (`Other causes`).
GROUP = _words("causes", "treatments", "symptoms", "signs", "prevention", "risk factors",
               "diagnosis", "types", "complications")  # fmt: skip

_CALL_TO_ACTION = re.compile(
    r"\b(?:book (?:an? |your )?(?:appointment|consultation|visit|session)|schedule (?:an? |your )"
    r"?(?:consultation|appointment|visit)|make an appointment|contact us|call us|get in touch"
    r"|ready to get started|call [A-Z][\w ]{0,40} today)\b",
    re.IGNORECASE,
)
_CAUSAL_LEAD_IN = re.compile(
    r"\b(?:caused by|because of|due to|contribute to|contributes to|result from|results from"
    r"|lead to|leads to|can happen because|factors)\b",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"strain|sprain|injur|disc|disk|arthrit|osteo|degenerat|hernia|sciatica|spasm|posture"
    r"|misalign|stenosis|fractur|accident|fall|infection|tumou?r|obes|overweight|weight|age"
    r"|ageing|aging|stress|tension|syndrome|disease|condition|lifting|trauma|whiplash",
    re.IGNORECASE,
)
_CARE_WORDS = re.compile(
    r"\b(?:treat\w*|therap\w*|exercis\w*|medication\w*|medicines?|massage|surgery|physio\w*"
    r"|chiropract\w*|adjustment\w*|rehabilitat\w*|care plans?|relief|stretch\w*|ice|heat"
    r"|rest|injections?|painkillers?|decompression|acupuncture|brace\w*|posture)\b",
    re.IGNORECASE,
)
# An entry's title that names care outright ("Exercise therapy", "Ice and rest"), unless it
# names the lack or excess of it ("Lack of exercise", "Too much rest": causes).
_CARE_TITLE = re.compile(
    r"\b(?:treat\w*|therap\w*|exercis\w*|medication\w*|medicines?|massage|surgery|surgical"
    r"|physio\w*|chiropract\w*|adjustments?|rehabilitat\w*|stretch\w*|ice|heat|rest|injections?"
    r"|painkillers?|decompression|acupuncture|brac(?:e|es|ing)|traction|splints?|mobili[sz]ation"
    r"|manipulation)\b",
    re.IGNORECASE,
)
_NOT_CARE = re.compile(r"\b(?:lack of|too much|too little|poor|no|not enough|overuse)\b", re.I)
# An entry's title that names a warning sign, not a condition ("Swelling", "Pins and needles").
_SIGN_TITLE = re.compile(
    r"\b(?:swell\w*|stiff\w*|numb\w*|tingl\w*|pins and needles|weakness|locking|clicking"
    r"|popping|grinding|fever|bruis\w*|redness|warmth|tender\w*|cramp\w*|burning|shooting"
    r"|loss of (?:bladder|bowel|feeling|sensation|movement)|difficulty \w+ing|unable to \w+"
    r"|giving way|instability)\b",
    re.IGNORECASE,
)
# A list that sells the clinic rather than naming treatments: marketing bullets.
_SALES_PITCH = re.compile(
    r"\b(?:why choose|sets? (?:us|him|her|them) apart|what makes (?:us|our)|reasons to choose"
    r"|the \w+ difference)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, kw_only=True)
class Facts:
    """What the classifier looks at in one section."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    lead_ins: tuple[str, ...] = ()  # the sentences that introduce the section's lists
    entries: tuple[str, ...] = ()  # its items, each as its title and body
    titles: tuple[str, ...] = ()  # its items' titles
    first: bool = False  # the article's first section, with no text before it
    last: bool = False  # the article's last section


@dataclass(frozen=True, kw_only=True)
class Verdict:
    role: Role
    confidence: float
    evidence: tuple[str, ...]


def from_heading(heading: str) -> tuple[Role, float, str]:
    """The role a heading names, how strongly (STRONG, WEAK or 0) and the words that say it."""
    text = heading.lower()
    for role, pattern in _FIRST:
        if match := pattern.search(text):
            return role, STRONG, match[0]
    for strength in (STRONG, WEAK):
        found = [
            (m.start(), role, m[0])
            for role, strong, weak in _OTHERS
            if (p := strong if strength == STRONG else weak) is not None and (m := p.search(text))
        ]
        if found:
            _, role, words = min(found)
            return role, strength, words
    return Role.OTHER, 0.0, ""


def role_for(heading: str) -> Role:
    """The role a heading alone names (`"Causes of Back Spasms"` → causes)."""
    return from_heading(heading)[0]


def names_a_group(heading: str) -> bool:
    """`Other causes of back pain`, `Symptoms that need a doctor`: a group, not one thing."""
    return bool(GROUP.search(heading.lower()))


def classify(facts: Facts, *, headed: frozenset[Role]) -> Verdict:
    """The section's role. `headed`: the roles some heading of the article names strongly."""
    role, strength, words = from_heading(facts.heading)
    said = f'the heading says "{words}"'
    if facts.first and not facts.entries and strength < STRONG and role is not Role.CLOSING:
        hint = f" ({said}, a hint only)" if words else ""
        return Verdict(
            role=Role.INTRO,
            confidence=0.6,
            evidence=(f"the first section, with no text before it and no list{hint}",),
        )
    if (
        facts.last
        and not facts.entries
        and strength < STRONG
        and (cta := _CALL_TO_ACTION.search(" ".join(facts.paragraphs)))
    ):
        return Verdict(
            role=Role.CLOSING,
            confidence=0.7,
            evidence=(f'the last section, a call to action: "{cta[0]}"',),
        )
    if strength == STRONG:
        return Verdict(role=role, confidence=STRONG, evidence=(said,))
    if facts.entries and (pitch := _SALES_PITCH.search(" ".join((facts.heading, *facts.lead_ins)))):
        return Verdict(
            role=Role.OTHER, confidence=0.7, evidence=(f'its list sells the clinic: "{pitch[0]}"',)
        )
    if role is Role.OTHER and (found := _from_content(facts, headed)):
        return found
    if role is Role.TREATMENTS and facts.entries and not _mostly_care(facts.entries):
        return Verdict(
            role=Role.OTHER,
            confidence=0.5,
            evidence=(f"{said}, a hint only", "most of its entries name no care"),
        )
    if strength:
        support = _CARE_WORDS.search(" ".join(facts.paragraphs + facts.entries))
        if role is Role.TREATMENTS and support:
            evidence = (said, f'the text speaks of "{support[0].lower()}"')
            return Verdict(role=role, confidence=0.75, evidence=evidence)
        return Verdict(role=role, confidence=WEAK, evidence=(said,))
    return Verdict(role=Role.OTHER, confidence=0.5,
                   evidence=("neither the heading nor the content names a role",))  # fmt: skip


def _mostly_care(entries: tuple[str, ...]) -> bool:
    return 2 * sum(1 for e in entries if _CARE_WORDS.search(e)) >= len(entries)


def _from_content(facts: Facts, headed: frozenset[Role]) -> Verdict | None:
    """A role from what the entries are, for a section whose heading names none: causes (a
    causal lead-in and conditions), treatments (care), symptoms (warning signs)."""
    return _causes_from_content(facts, headed) or _from_titles(facts, headed)


def _from_titles(facts: Facts, headed: frozenset[Role]) -> Verdict | None:
    """Treatments when at least two thirds of the entries' titles name care; symptoms when
    they name warning signs and no condition."""
    titles = facts.titles
    if len(titles) < 2:
        return None
    care = [t for t in titles if _CARE_TITLE.search(t) and not _NOT_CARE.search(t)]
    signs = [t for t in titles if _SIGN_TITLE.search(t) and not _CONDITION.search(t)]
    for role, named, what in ((Role.TREATMENTS, care, "care"), (Role.SYMPTOMS, signs, "signs")):
        if role in headed or 3 * len(named) < 2 * len(titles):
            continue
        shown = ", ".join(f'"{t}"' for t in named[:3])
        evidence = (
            f"{len(named)} of {len(titles)} entries name {what} ({shown})",
            f"no heading of the article names the {role.value.replace('_', ' ')}",
        )
        return Verdict(role=role, confidence=0.65, evidence=evidence)
    return None


def _causes_from_content(facts: Facts, headed: frozenset[Role]) -> Verdict | None:
    """Causes from a list's lead-in ("factors can contribute to …:") and what its entries name."""
    if Role.CAUSES in headed or len(facts.entries) < 2:
        return None
    lead = next((m for text in facts.lead_ins if (m := _CAUSAL_LEAD_IN.search(text))), None)
    conditions = [e for e in facts.entries if _CONDITION.search(e.split(". ")[0])]
    if lead is None or 2 * len(conditions) < len(facts.entries):
        return None
    evidence = (
        f'its list is introduced by "{lead[0]}"',
        f"{len(conditions)} of {len(facts.entries)} entries name conditions",
        "no heading of the article names the causes",
    )
    return Verdict(role=Role.CAUSES, confidence=0.7, evidence=evidence)


def names_causes(texts: list[str]) -> str:
    """The words by which risk factors are said to cause the condition (`"trigger"`), or `""`."""
    pattern = re.compile(r"\b(?:cause[sd]?|trigger\w*|result in|lead to|develop\w*)\b", re.I)
    return next((m[0].lower() for text in texts if (m := pattern.search(text))), "")
