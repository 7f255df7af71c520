"""generic runs, observations, network, videos

Runs of any stage on any subject (survey optional), with their state and error and a
digest of their inputs and parameters; findings of kind source or detection; videos,
observations, network entities and links; plans recorded with their run. Existing
runs become runs on ``survey:<id>``, existing sources of kind ``source``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:51:32.734157
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "videos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("input_path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=50), nullable=False),
        sa.Column("start_time", sa.Float(), nullable=True),
        sa.Column("end_time", sa.Float(), nullable=True),
        sa.Column("n_frames", sa.Integer(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_videos_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_videos")),
        sa.UniqueConstraint("case_id", "sha256", name=op.f("uq_videos_case_id")),
    )
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_videos_case_id"), ["case_id"], unique=False)

    op.create_table(
        "entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("released", sa.Boolean(), nullable=False),
        sa.Column("provenance", sa.String(length=500), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_entities_case_id_cases")),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_entities_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
        sa.UniqueConstraint("case_id", "key", name=op.f("uq_entities_case_id")),
    )
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entities_case_id"), ["case_id"], unique=False)

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("start_time", sa.Float(), nullable=True),
        sa.Column("end_time", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("geometry", sa.JSON(), nullable=True),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_observations_case_id_cases")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_observations_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_observations_run_id"), ["run_id"], unique=False)

    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("directed", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("start_time", sa.Float(), nullable=True),
        sa.Column("end_time", sa.Float(), nullable=True),
        sa.Column("provenance", sa.String(length=500), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_links_case_id_cases")),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_links_run_id_runs")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["entities.id"], name=op.f("fk_links_source_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["entities.id"], name=op.f("fk_links_target_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_links_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_links_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_links_target_id"), ["target_id"], unique=False)

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("format", sa.String(length=20), nullable=False, server_default="plan")
        )
        batch_op.create_index(batch_op.f("ix_plans_run_id"), ["run_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_plans_run_id_runs"), "runs", ["run_id"], ["id"])

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="done")
        )
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("input_key", sa.String(length=64), nullable=True))
    # every run so far was made on a survey
    op.execute("UPDATE runs SET subject = 'survey:' || survey_id")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.alter_column("survey_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_constraint(batch_op.f("uq_runs_survey_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_runs_input_key"), ["input_key"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_runs_case_id"), ["case_id", "stage", "subject", "version"]
        )

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="source")
        )
        batch_op.add_column(sa.Column("bearing_deg", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("wedge_deg", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("probability_exists", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("warnings", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("properties", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.alter_column("rate_g_s", existing_type=sa.FLOAT(), nullable=True)
        batch_op.alter_column("rate_lo_g_s", existing_type=sa.FLOAT(), nullable=True)
        batch_op.alter_column("rate_hi_g_s", existing_type=sa.FLOAT(), nullable=True)
        batch_op.alter_column("semi_major_m", existing_type=sa.FLOAT(), nullable=True)
        batch_op.alter_column("semi_minor_m", existing_type=sa.FLOAT(), nullable=True)
        batch_op.alter_column("azimuth_deg", existing_type=sa.FLOAT(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.alter_column("azimuth_deg", existing_type=sa.FLOAT(), nullable=False)
        batch_op.alter_column("semi_minor_m", existing_type=sa.FLOAT(), nullable=False)
        batch_op.alter_column("semi_major_m", existing_type=sa.FLOAT(), nullable=False)
        batch_op.alter_column("rate_hi_g_s", existing_type=sa.FLOAT(), nullable=False)
        batch_op.alter_column("rate_lo_g_s", existing_type=sa.FLOAT(), nullable=False)
        batch_op.alter_column("rate_g_s", existing_type=sa.FLOAT(), nullable=False)
        batch_op.drop_column("properties")
        batch_op.drop_column("warnings")
        batch_op.drop_column("probability_exists")
        batch_op.drop_column("wedge_deg")
        batch_op.drop_column("bearing_deg")
        batch_op.drop_column("kind")

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_runs_case_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_runs_input_key"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_runs_survey_id"), ["survey_id", "stage", "version"]
        )
        batch_op.alter_column("survey_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("input_key")
        batch_op.drop_column("error")
        batch_op.drop_column("status")
        batch_op.drop_column("subject")

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plans_run_id_runs"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_plans_run_id"))
        batch_op.drop_column("format")
        batch_op.drop_column("run_id")

    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_links_target_id"))
        batch_op.drop_index(batch_op.f("ix_links_source_id"))
        batch_op.drop_index(batch_op.f("ix_links_case_id"))

    op.drop_table("links")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observations_run_id"))
        batch_op.drop_index(batch_op.f("ix_observations_case_id"))

    op.drop_table("observations")
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entities_case_id"))

    op.drop_table("entities")
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_videos_case_id"))

    op.drop_table("videos")
