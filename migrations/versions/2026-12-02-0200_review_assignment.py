"""review assignment: the reviewer a review is assigned to; the outbox forgets a one-time link once it is sent

``review_assignment`` (one row per submission once someone assigned it: the reviewer, who assigned it and when),
a table of its own so that assigning leaves the submission's version alone. ``mail_outbox.secret``: the mail holds a
one-time password link, whose body is removed once the mail is sent or given up. ``notification.kind`` gains
``assignment`` (the reviewer is told). Downgrading drops them (and the assignment notifications).

Revision ID: d1e2f3a4b5c6
Revises: c0d1e2f3a4b5
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1e2f3a4b5c6"
down_revision: str | Sequence[str] | None = "c0d1e2f3a4b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("decision", "submitted", "comment", "reminder", "nudge")


def _kind_rule(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    op.create_table(
        "review_assignment",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["user_account.id"],
            name=op.f("fk_review_assignment_assigned_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["user_account.id"],
            name=op.f("fk_review_assignment_assigned_to_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_review_assignment_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_review_assignment")),
    )
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_assignment_assigned_to_id"), ["assigned_to_id"], unique=False)
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notification_notificationkind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notification_notificationkind"), _kind_rule((*KINDS, "assignment")))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'assignment'"))
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notification_notificationkind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notification_notificationkind"), _kind_rule(KINDS))
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_column("secret")
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_assignment_assigned_to_id"))
    op.drop_table("review_assignment")
