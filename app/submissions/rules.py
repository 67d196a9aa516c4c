"""The fixed parts of a voluntary GCM review: its sections, fields, limits and the progress scale."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import _
from app.submissions.models import ProgressRating, SectionKey, SubmissionStatus


@dataclass(frozen=True)
class TextField:
    name: str
    label: str
    hint: str
    max_length: int
    required: bool = False


SECTION_MAX = 20_000

SECTION_TITLES: dict[SectionKey, str] = {
    SectionKey.preparation: _("How the review was prepared"),
    SectionKey.policy_environment: _("Policy and institutional environment"),
    SectionKey.means_of_implementation: _("Means of implementation"),
    SectionKey.next_steps: _("Next steps"),
}

SECTION_HINTS: dict[SectionKey, str] = {
    SectionKey.preparation: _(
        "Who took part (ministries, local authorities, migrants, civil society, the private sector) and how: "
        "the whole-of-government and whole-of-society approach."
    ),
    SectionKey.policy_environment: _(
        "Laws, policies and institutions for migration governance; a national GCM implementation plan, if any; "
        "links with the 2030 Agenda and regional plans."
    ),
    SectionKey.means_of_implementation: _(
        "Resources, partnerships and capacity for implementing the Compact, including support needed."
    ),
    SectionKey.next_steps: _("What the Government plans next, and priorities until the next review."),
}

REPORT_FIELDS: tuple[TextField, ...] = (
    TextField(
        "narrative",
        _("Progress"),
        _("What was done since the last review to implement this objective."),
        10_000,
        required=True,
    ),
    TextField("laws_and_policies", _("Laws and policies"), _("Laws, regulations, policies and plans adopted."), 5_000),
    TextField(
        "good_practices",
        _("Good practices"),
        _("Practices implemented after December 2018, mostly complete and replicable, that others could learn from."),
        5_000,
    ),
    TextField("challenges", _("Challenges"), _("What held progress back, and support that would help."), 5_000),
    TextField(
        "partners",
        _("Partners and stakeholders"),
        _("Who worked with the Government: UN entities, civil society, migrants, employers, other States."),
        2_000,
    ),
)
NOT_REPORTED_REASON_MAX = 1_000

PROGRESS_SCALE: dict[ProgressRating, tuple[str, str]] = {
    ProgressRating.not_started: (_("Not started"), _("No measures yet for this objective.")),
    ProgressRating.initial: (_("Initial steps"), _("Measures are being planned, or the first ones taken.")),
    ProgressRating.under_way: (_("Under way"), _("Measures are being implemented.")),
    ProgressRating.advanced: (_("Advanced"), _("Most planned measures are in place and working.")),
    ProgressRating.achieved: (_("Achieved"), _("The objective's commitments are largely met.")),
}
STATUS_LABELS: dict[SubmissionStatus, str] = {
    SubmissionStatus.draft: _("Draft"),
    SubmissionStatus.submitted: _("Submitted"),
    SubmissionStatus.changes_requested: _("Changes requested"),
    SubmissionStatus.approved: _("Approved"),
    SubmissionStatus.published: _("Published"),
}
# The number of each step, 1 to 5: the form, the heatmap, its key and the reports all show these.
PROGRESS_STEP: dict[ProgressRating, int] = {rating: n for n, rating in enumerate(PROGRESS_SCALE, start=1)}
