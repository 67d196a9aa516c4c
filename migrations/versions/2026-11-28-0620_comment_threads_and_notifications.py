"""comment threads and notifications

Revision ID: 5a1c0d7e2b01
Revises: c3f259ee4b2f
Create Date: 2026-11-28 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a1c0d7e2b01"
down_revision: str | Sequence[str] | None = "c3f259ee4b2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "comment_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", _enum("threadtarget", "section", "objective"), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("status", _enum("threadstatus", "open", "resolved"), server_default="open", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        _fk("comment_thread", "created_by_id", "user_account", "SET NULL"),
        _fk("comment_thread", "resolved_by_id", "user_account", "SET NULL"),
        _fk("comment_thread", "submission_id", "submission", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_thread")),
    )
    op.create_index("ix_comment_thread_target", "comment_thread", ["submission_id", "target_kind", "target_id"])
    op.create_index(op.f("ix_comment_thread_submission_id"), "comment_thread", ["submission_id"])

    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("comment", "author_id", "user_account", "SET NULL"),
        _fk("comment", "thread_id", "comment_thread", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )
    op.create_index(op.f("ix_comment_thread_id"), "comment", ["thread_id"])
    op.create_index(op.f("ix_comment_author_id"), "comment", ["author_id"])

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", _enum("notificationkind", "decision", "submitted", "comment", "reminder", "nudge"), nullable=False
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        _fk("notification", "user_id", "user_account", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("user_id", "dedupe_key", name=op.f("uq_notification_user_id_dedupe_key")),
    )
    op.create_index("ix_notification_user_unread", "notification", ["user_id", "read_at"])

    op.create_table(
        "review_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=64), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        _fk("review_snapshot", "decision_id", "review_decision", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_snapshot")),
    )
    op.create_index(op.f("ix_review_snapshot_decision_id"), "review_snapshot", ["decision_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_review_snapshot_decision_id"), table_name="review_snapshot")
    op.drop_table("review_snapshot")
    op.drop_index("ix_notification_user_unread", table_name="notification")
    op.drop_table("notification")
    op.drop_index(op.f("ix_comment_author_id"), table_name="comment")
    op.drop_index(op.f("ix_comment_thread_id"), table_name="comment")
    op.drop_table("comment")
    op.drop_index(op.f("ix_comment_thread_submission_id"), table_name="comment_thread")
    op.drop_index("ix_comment_thread_target", table_name="comment_thread")
    op.drop_table("comment_thread")
