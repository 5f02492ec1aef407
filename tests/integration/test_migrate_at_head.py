"""`migrate` on a database already at the newest revision does nothing, without loading Alembic;
the newest revision it reads from the migration files is Alembic's own."""

from __future__ import annotations

from sqlalchemy import text

from service.store.db import MIGRATIONS, _head_revision


def test_the_newest_revision_read_from_the_files_is_alembics_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert _head_revision() == ScriptDirectory.from_config(cfg).get_current_head()


def test_a_database_at_the_head_is_left_alone_and_one_behind_is_handed_to_alembic(app, monkeypatch):
    import alembic.command

    upgrades = []
    monkeypatch.setattr(alembic.command, "upgrade", lambda cfg, target: upgrades.append(target))
    app.db.migrate()
    assert upgrades == []  # at the head: Alembic is not asked
    with app.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": "0003"})
    app.db.migrate()
    assert upgrades == ["head"]
