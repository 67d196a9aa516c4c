"""The secretariat's decisions on a submission, each with who, when and why.

The tables live with the submission (``app/submissions/models.py``: a submit is recorded there too, and the
submission's page reads them), so that submissions never import review; they are named here for review's code."""

from __future__ import annotations

from app.submissions.models import DecisionKind, ReviewDecision, ReviewSnapshot

__all__ = ["DecisionKind", "ReviewDecision", "ReviewSnapshot"]
