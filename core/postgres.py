"""Database pieces that exist only on PostgreSQL.

SQLite (development, the default test run) has neither GIN indexes nor full-text functions;
the site search does without them there (see search/engines.py)."""

from django.contrib.postgres.indexes import GinIndex
from django.db.models import Func


class PostgresGinIndex(GinIndex):
    """A GIN index made on PostgreSQL only: on other databases it is an empty statement, in
    migrations and when SQLite rebuilds the table."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor, **kwargs)


class PostgresOnly(Func):
    """The expression on PostgreSQL and NULL on other databases: for a generated column whose
    expression only PostgreSQL understands."""

    template = "%(expressions)s"

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            return "NULL", []
        return super().as_sql(compiler, connection, **extra_context)
