"""questionnaires: every cycle already in the database gets the default questionnaire (today's review, exactly)

The definition is written out here, as it was when this migration was made (migrations never import the app):
the same as ``app.questionnaires.defaults.default_definition()`` at that time.

Revision ID: 3a73cc7f9a70
Revises: 2f62bb6f8969
Create Date: 2026-12-01 15:05:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3a73cc7f9a70"
down_revision: str | Sequence[str] | None = "2f62bb6f8969"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT = json.loads(
    r"""
{
 "rating_scale": [
  {
   "value": 1,
   "label": {
    "en": "Not started"
   },
   "hint": {
    "en": "No measures yet for this objective."
   }
  },
  {
   "value": 2,
   "label": {
    "en": "Initial steps"
   },
   "hint": {
    "en": "Measures are being planned, or the first ones taken."
   }
  },
  {
   "value": 3,
   "label": {
    "en": "Under way"
   },
   "hint": {
    "en": "Measures are being implemented."
   }
  },
  {
   "value": 4,
   "label": {
    "en": "Advanced"
   },
   "hint": {
    "en": "Most planned measures are in place and working."
   }
  },
  {
   "value": 5,
   "label": {
    "en": "Achieved"
   },
   "hint": {
    "en": "The objective's commitments are largely met."
   }
  }
 ],
 "sections": [
  {
   "key": "preparation",
   "label": {
    "en": "How the review was prepared"
   },
   "hint": {
    "en": "Who took part (ministries, local authorities, migrants, civil society, the private sector) and how: the whole-of-government and whole-of-society approach."
   },
   "questions": [
    {
     "key": "preparation",
     "type": "long_text",
     "label": {
      "en": "How the review was prepared"
     },
     "hint": {
      "en": "Who took part (ministries, local authorities, migrants, civil society, the private sector) and how: the whole-of-government and whole-of-society approach."
     },
     "required": true,
     "max_length": 20000
    }
   ]
  },
  {
   "key": "policy_environment",
   "label": {
    "en": "Policy and institutional environment"
   },
   "hint": {
    "en": "Laws, policies and institutions for migration governance; a national GCM implementation plan, if any; links with the 2030 Agenda and regional plans."
   },
   "questions": [
    {
     "key": "policy_environment",
     "type": "long_text",
     "label": {
      "en": "Policy and institutional environment"
     },
     "hint": {
      "en": "Laws, policies and institutions for migration governance; a national GCM implementation plan, if any; links with the 2030 Agenda and regional plans."
     },
     "required": true,
     "max_length": 20000
    }
   ]
  },
  {
   "key": "means_of_implementation",
   "label": {
    "en": "Means of implementation"
   },
   "hint": {
    "en": "Resources, partnerships and capacity for implementing the Compact, including support needed."
   },
   "questions": [
    {
     "key": "means_of_implementation",
     "type": "long_text",
     "label": {
      "en": "Means of implementation"
     },
     "hint": {
      "en": "Resources, partnerships and capacity for implementing the Compact, including support needed."
     },
     "required": true,
     "max_length": 20000
    }
   ]
  },
  {
   "key": "next_steps",
   "label": {
    "en": "Next steps"
   },
   "hint": {
    "en": "What the Government plans next, and priorities until the next review."
   },
   "questions": [
    {
     "key": "next_steps",
     "type": "long_text",
     "label": {
      "en": "Next steps"
     },
     "hint": {
      "en": "What the Government plans next, and priorities until the next review."
     },
     "required": true,
     "max_length": 20000
    }
   ]
  }
 ],
 "objective_questions": [
  {
   "key": "reporting",
   "type": "single_choice",
   "label": {
    "en": "Reporting this cycle"
   },
   "hint": {
    "en": "A State may leave an objective out of this review, saying why."
   },
   "required": true,
   "choices": [
    {
     "value": "reported",
     "label": {
      "en": "Reported"
     }
    },
    {
     "value": "not_reported",
     "label": {
      "en": "Not reported this cycle"
     }
    }
   ]
  },
  {
   "key": "not_reported_reason",
   "type": "long_text",
   "label": {
    "en": "Why the objective is not reported this cycle"
   },
   "hint": {},
   "required": true,
   "max_length": 1000,
   "show_if": {
    "key": "reporting",
    "equals": "not_reported"
   }
  },
  {
   "key": "progress_rating",
   "type": "rating",
   "label": {
    "en": "Progress rating"
   },
   "hint": {
    "en": "How far has your country come in implementing this objective? Choose the step that fits best."
   },
   "required": false,
   "show_if": {
    "key": "reporting",
    "equals": "reported"
   }
  },
  {
   "key": "narrative",
   "type": "long_text",
   "label": {
    "en": "Progress"
   },
   "hint": {
    "en": "What was done since the last review to implement this objective."
   },
   "required": true,
   "max_length": 10000,
   "show_if": {
    "key": "reporting",
    "equals": "reported"
   }
  },
  {
   "key": "laws_and_policies",
   "type": "long_text",
   "label": {
    "en": "Laws and policies"
   },
   "hint": {
    "en": "Laws, regulations, policies and plans adopted."
   },
   "required": false,
   "max_length": 5000,
   "show_if": {
    "key": "reporting",
    "equals": "reported"
   }
  },
  {
   "key": "good_practices",
   "type": "long_text",
   "label": {
    "en": "Good practices"
   },
   "hint": {
    "en": "Practices implemented after December 2018, mostly complete and replicable, that others could learn from."
   },
   "required": false,
   "max_length": 5000,
   "show_if": {
    "key": "reporting",
    "equals": "reported"
   }
  },
  {
   "key": "challenges",
   "type": "long_text",
   "label": {
    "en": "Challenges"
   },
   "hint": {
    "en": "What held progress back, and support that would help."
   },
   "required": false,
   "max_length": 5000,
   "show_if": {
    "key": "reporting",
    "equals": "reported"
   }
  },
  {
   "key": "partners",
   "type": "long_text",
   "label": {
    "en": "Partners and stakeholders"
   },
   "hint": {
    "en": "Who worked with the Government: UN entities, civil society, migrants, employers, other States."
   },
   "required": false,
   "max_length": 2000,
   "show_if": {
    "key": "reporting",
    "equals": "reported"
   }
  },
  {
   "key": "principles",
   "type": "principles",
   "label": {
    "en": "Guiding principles applied"
   },
   "hint": {},
   "required": false,
   "show_if": {
    "key": "reporting",
    "equals": "reported"
   }
  },
  {
   "key": "commitments",
   "type": "commitments",
   "label": {
    "en": "Pledges this objective's work is part of"
   },
   "hint": {},
   "required": false,
   "show_if": {
    "key": "reporting",
    "equals": "reported"
   }
  }
 ]
}
"""
)


def upgrade() -> None:
    bind = op.get_bind()
    cycles = bind.execute(sa.text("SELECT id FROM review_cycle ORDER BY id")).scalars().all()
    table = sa.table(
        "questionnaire",
        sa.column("review_cycle_id", sa.Integer),
        sa.column("definition", sa.JSON),
        sa.column("version", sa.Integer),
    )
    if cycles:
        op.bulk_insert(table, [{"review_cycle_id": cid, "definition": DEFAULT, "version": 1} for cid in cycles])


def downgrade() -> None:
    op.execute("DELETE FROM questionnaire")
