"""The fixed parts of a voluntary GCM review: its sections, fields, limits and the progress scale."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import LazyLabels, lazy_gettext
from app.submissions.models import ProgressRating, SectionKey, SubmissionStatus


@dataclass(frozen=True)
class TextField:
    name: str
    label: str
    hint: str
    max_length: int
    required: bool = False


SECTION_MAX = 20_000

SECTION_TITLES: LazyLabels[SectionKey, str] = LazyLabels(
    {
        SectionKey.preparation: lazy_gettext("How the review was prepared"),
        SectionKey.policy_environment: lazy_gettext("Policy and institutional environment"),
        SectionKey.means_of_implementation: lazy_gettext("Means of implementation"),
        SectionKey.next_steps: lazy_gettext("Next steps"),
    }
)

SECTION_HINTS: LazyLabels[SectionKey, str] = LazyLabels(
    {
        SectionKey.preparation: lazy_gettext(
            "Who took part (ministries, local authorities, migrants, civil society, the private sector) and how: "
            "the whole-of-government and whole-of-society approach."
        ),
        SectionKey.policy_environment: lazy_gettext(
            "Laws, policies and institutions for migration governance; a national GCM implementation plan, if any; "
            "links with the 2030 Agenda and regional plans."
        ),
        SectionKey.means_of_implementation: lazy_gettext(
            "Resources, partnerships and capacity for implementing the Compact, including support needed."
        ),
        SectionKey.next_steps: lazy_gettext("What the Government plans next, and priorities until the next review."),
    }
)

REPORT_FIELDS: tuple[TextField, ...] = (
    TextField(
        "narrative",
        lazy_gettext("Progress"),
        lazy_gettext("What was done since the last review to implement this objective."),
        10_000,
        required=True,
    ),
    TextField(
        "laws_and_policies",
        lazy_gettext("Laws and policies"),
        lazy_gettext("Laws, regulations, policies and plans adopted."),
        5_000,
    ),
    TextField(
        "good_practices",
        lazy_gettext("Good practices"),
        lazy_gettext(
            "Practices implemented after December 2018, mostly complete and replicable, that others could learn from."
        ),
        5_000,
    ),
    TextField(
        "challenges",
        lazy_gettext("Challenges"),
        lazy_gettext("What held progress back, and support that would help."),
        5_000,
    ),
    TextField(
        "partners",
        lazy_gettext("Partners and stakeholders"),
        lazy_gettext("Who worked with the Government: UN entities, civil society, migrants, employers, other States."),
        2_000,
    ),
)
NOT_REPORTED_REASON_MAX = 1_000

PROGRESS_SCALE: LazyLabels[ProgressRating, tuple[str, str]] = LazyLabels(
    {
        ProgressRating.not_started: (lazy_gettext("Not started"), lazy_gettext("No measures yet for this objective.")),
        ProgressRating.initial: (
            lazy_gettext("Initial steps"),
            lazy_gettext("Measures are being planned, or the first ones taken."),
        ),
        ProgressRating.under_way: (lazy_gettext("Under way"), lazy_gettext("Measures are being implemented.")),
        ProgressRating.advanced: (
            lazy_gettext("Advanced"),
            lazy_gettext("Most planned measures are in place and working."),
        ),
        ProgressRating.achieved: (
            lazy_gettext("Achieved"),
            lazy_gettext("The objective's commitments are largely met."),
        ),
    }
)
STATUS_LABELS: LazyLabels[SubmissionStatus, str] = LazyLabels(
    {
        SubmissionStatus.draft: lazy_gettext("Draft"),
        SubmissionStatus.submitted: lazy_gettext("Submitted"),
        SubmissionStatus.changes_requested: lazy_gettext("Changes requested"),
        SubmissionStatus.approved: lazy_gettext("Approved"),
        SubmissionStatus.published: lazy_gettext("Published"),
    }
)
# The number of each step, 1 to 5: the form, the heatmap, its key and the reports all show these.
PROGRESS_STEP: dict[ProgressRating, int] = {rating: n for n, rating in enumerate(PROGRESS_SCALE, start=1)}
