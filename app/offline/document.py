"""What a downloaded review file holds, whatever its format (``docx.py``, ``xlsx.py``), and what an upload read back.

A file names its review (country, cycle, questionnaire version, submission, language) and, for every question, the
answer's version and a hash of its value at the download: the upload compares them with the product as it is then,
so a change made online meanwhile is shown as a conflict instead of being overwritten.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from app.questionnaires.schemas import Choice, QuestionType

FORMATS = ("docx", "xlsx")
LIST_SEPARATOR = "; "


def value_hash(value: Any) -> str:
    """A short digest of a stored value (the same value always gives the same digest)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FileIds:
    """The hidden identifiers of a file."""

    owner: str  # a State's ISO3, or ORG<id> for an organisation's contribution
    cycle_id: int
    questionnaire_version: int
    record_id: int  # the submission's id, or the contribution's
    language: str

    @property
    def is_contribution(self) -> bool:
        return self.owner.startswith("ORG")

    def encode(self) -> str:
        fields = (self.owner, self.cycle_id, self.questionnaire_version, self.record_id, self.language)
        return "|".join(["gcm-file", *map(str, fields)])

    @classmethod
    def decode(cls, text: str) -> FileIds | None:
        parts = text.strip().split("|")
        if len(parts) != 6 or parts[0] != "gcm-file" or not all(p.isdecimal() for p in parts[2:5]):
            return None
        return cls(parts[1], int(parts[2]), int(parts[3]), int(parts[4]), parts[5])


@dataclass(frozen=True)
class Entry:
    """One question as a file shows it: where, what, the answer as text (or the choices to pick from)."""

    part: str
    key: str
    version: int  # of the answer at the download (0: never answered)
    digest: str  # value_hash of the value at the download
    type: QuestionType
    label: str
    hint: str
    text: str  # the answer as the file shows it
    editable: bool
    options: list[str] = field(default_factory=list)  # what a list offers (choices' labels); empty: free text
    multiline: bool = False

    def tag(self) -> str:
        return f"gcm|{self.part}|{self.key}|{self.version}|{self.digest}"


def decode_tag(text: str) -> tuple[str, str, int, str] | None:
    """(part, key, version, digest) of a question's tag, or None for anything else."""
    parts = text.strip().split("|")
    if len(parts) != 5 or parts[0] != "gcm" or not parts[3].isdecimal():
        return None
    return parts[1], parts[2], int(parts[3]), parts[4]


@dataclass(frozen=True)
class PartBlock:
    key: str
    title: str
    editable: bool
    entries: list[Entry]


@dataclass(frozen=True)
class ReviewFile:
    """A review ready to be written as a document."""

    ids: FileIds
    title: str
    subtitle: str
    notice: str  # how to use the file
    read_only_label: str
    parts: list[PartBlock]
    empty_choice: str  # the list item meaning "not answered"


@dataclass
class ReadBack:
    """What an upload holds: its identifiers, each question's text by (part, key) with the version and digest it was
    downloaded with, and notes (comments, images ignored)."""

    ids: FileIds | None
    answers: dict[tuple[str, str], tuple[int, str, str]] = field(default_factory=dict)  # -> (version, digest, text)
    notes: list[str] = field(default_factory=list)


def choice_labels(choices: list[Choice] | None, label_of: Any) -> list[str]:
    return [label_of(c.value) for c in choices or []]
