"""The backup's rows, written and read in batches (`manage.py backup` and `restore`).

The content fixture is the JSON that `dumpdata --natural-foreign` writes (the archive's format is
unchanged: `loaddata` reads it, and these functions read archives written by `dumpdata`), but
with one row per line, written and read a batch at a time: memory stays bounded whatever the
number of rows, and the rows are written with a few queries per batch (the related rows a row
names by natural key, and its many-to-many links, are read with the batch, not one query per
row) and loaded with one INSERT per batch instead of one or two per row.

Loading inserts the rows raw, as `loaddata` does (no `save()`: the stored values, updated dates
included, are kept). What the `post_save` receivers did for each row is done once for all rows
instead (`after_load`), or by calling the receivers for each row of the few models whose
receivers have no bulk counterpart here."""

import json
from collections import defaultdict

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers import base
from django.core.serializers import python as python_serializer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.constants import OnConflict
from django.db.models.signals import post_save

from core import cache as page_cache
from core.khmer import refresh_khmer_words

BATCH = 500
# A batch of rows to load holds at most this many characters of JSON as well (rows with the
# text of long PDFs are large).
BATCH_CHARACTERS = 8 * 1024 * 1024
READ_SIZE = 1024 * 1024

# Models whose post_save receivers are replaced by after_load(): the documents' text of news
# items (news.documents), a program page's Khmer body words (pages.models). The page cache's
# receiver (core.cache.content_changed) is replaced by one invalidation for every model.
HANDLED_IN_BULK = {"news.newsitem", "news.itemdocument", "library.document", "pages.pagepoint"}


# Writing


def dumped_models(excluded):
    """The models `dumpdata --exclude …` writes, in its order (natural keys' dependencies
    first)."""
    excluded_apps = {label for label in excluded if "." not in label}
    excluded_models = {label for label in excluded if "." in label}
    app_list = {
        app_config: None
        for app_config in apps.get_app_configs()
        if app_config.models_module is not None and app_config.label not in excluded_apps
    }
    models = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    return [
        model
        for model in models
        if not model._meta.proxy and model._meta.label_lower not in excluded_models
    ]


def rows_of(model, using):
    """Every row of `model` by id, with what the serializer reads besides the row itself: the
    rows named by natural key (joined) and the many-to-many links (prefetched per batch)."""
    natural_fks = [
        field.name
        for field in model._meta.local_fields
        if field.remote_field
        and field.serialize
        and hasattr(field.remote_field.model, "natural_key")
    ]
    many = [
        field.name
        for field in model._meta.local_many_to_many
        if field.serialize and field.remote_field.through._meta.auto_created
    ]
    rows = model._base_manager.using(using).order_by(model._meta.pk.name)
    if natural_fks:
        rows = rows.select_related(*natural_fks)
    if many:
        rows = rows.prefetch_related(*many)
    return rows.iterator(chunk_size=BATCH)


def write_fixture(out, excluded, using=DEFAULT_DB_ALIAS):
    """Write every row of every model but `excluded` to the text stream `out` as a JSON list,
    one row a line, as `dumpdata --natural-foreign --all --exclude …` writes them."""
    out.write("[")
    first = True
    for model in dumped_models(excluded):
        batch = []
        for row in rows_of(model, using):
            batch.append(row)
            if len(batch) >= BATCH:
                first = write_batch(out, batch, first)
                batch = []
        first = write_batch(out, batch, first)
    out.write("\n]\n")


class Serializer(python_serializer.Serializer):
    """Django's, reading the many-to-many links that rows_of() prefetched without building the
    query it would run otherwise (Django builds it for each row even when it is not run)."""

    def handle_m2m_field(self, obj, field):
        prefetched = getattr(obj, "_prefetched_objects_cache", {})
        if field.name not in prefetched or not field.remote_field.through._meta.auto_created:
            super().handle_m2m_field(obj, field)
        elif self.use_natural_foreign_keys and hasattr(field.remote_field.model, "natural_key"):
            self._current[field.name] = [value.natural_key() for value in prefetched[field.name]]
        else:
            self._current[field.name] = [
                self._value_from_field(value, value._meta.pk) for value in prefetched[field.name]
            ]


def write_batch(out, rows, first):
    for data in Serializer().serialize(rows, use_natural_foreign_keys=True):
        out.write("\n" if first else ",\n")
        json.dump(data, out, cls=DjangoJSONEncoder, ensure_ascii=False)
        first = False
    return first


# Reading


def read_fixture(handle):
    """The objects of the JSON list in the text stream `handle`, one at a time, each with its
    length in characters, whatever the list's layout (one row a line, one line, indented),
    reading a megabyte at a time."""
    decoder = json.JSONDecoder()
    buffer, position, finished = "", 0, False

    def more():
        nonlocal buffer, position, finished
        data = handle.read(READ_SIZE)
        finished = not data
        buffer, position = buffer[position:] + data, 0
        return bool(data)

    def next_character(skip):
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in skip:
                position += 1
            if position < len(buffer):
                return buffer[position]
            if not more():
                return ""

    if next_character(" \t\r\n") != "[":
        raise base.DeserializationError("The fixture is not a JSON list.")
    position += 1
    while True:
        character = next_character(" \t\r\n,")
        if character == "]":
            return
        if character != "{":
            raise base.DeserializationError("The fixture's list holds something else than rows.")
        while True:
            try:
                value, end = decoder.raw_decode(buffer, position)
                break
            except json.JSONDecodeError as error:
                if not more():
                    raise base.DeserializationError(f"The fixture is cut off: {error}") from error
        yield value, end - position
        position = end


def rows_by_model(objects):
    """The fixture's objects in runs of one model, at most BATCH (or BATCH_CHARACTERS) at a
    time."""
    batch, label, characters = [], None, 0
    for data, length in objects:
        if data.get("model") != label or len(batch) >= BATCH or characters > BATCH_CHARACTERS:
            if batch:
                yield batch
            batch, label, characters = [], data.get("model"), 0
        batch.append(data)
        characters += length
    if batch:
        yield batch


class Deserializer(python_serializer.Deserializer):
    """Django's, remembering the rows found by natural key (the users that thousands of rows
    name), instead of one query per row."""

    def __init__(self, object_list, *, found, **options):
        super().__init__(object_list, **options)
        self.found = found

    def _handle_fk_field_node(self, field, field_value):
        if not isinstance(field_value, list | tuple):
            return super()._handle_fk_field_node(field, field_value)
        key = (field.remote_field.model, field.remote_field.field_name, tuple(field_value))
        if key not in self.found:
            value = super()._handle_fk_field_node(field, field_value)
            if value is base.DEFER_FIELD:
                return value
            self.found[key] = value
        return self.found[key]


class Loader:
    """Loads a content fixture into the database (inside the caller's transaction). A row
    whose id is taken replaces the stored one, as `loaddata` does (`migrate` makes some rows,
    and `restore --force` loads over existing ones)."""

    def __init__(self, using=DEFAULT_DB_ALIAS):
        self.using = using
        self.connection = connections[using]
        self.models = set()
        self.deferred = []
        self.found = {}

    def load(self, handle):
        with self.connection.constraint_checks_disabled():
            for batch in rows_by_model(read_fixture(handle)):
                objects = list(
                    Deserializer(
                        batch, found=self.found, using=self.using, handle_forward_references=True
                    )
                )
                self.insert(objects)
            for deserialized in self.deferred:
                deserialized.save_deferred_fields(using=self.using)
        self.connection.check_constraints(
            table_names=[model._meta.db_table for model in self.models]
        )
        self.reset_sequences()

    def insert(self, objects):
        if not objects:
            return
        model = type(objects[0].object)
        self.models.add(model)
        opts = model._meta
        fields = [field for field in opts.local_concrete_fields if not field.generated]
        updated = [field for field in fields if not field.primary_key]
        options = {"on_conflict": OnConflict.UPDATE, "unique_fields": [opts.pk]}
        options["update_fields"] = updated
        if not updated:
            options = {"on_conflict": OnConflict.IGNORE}
        rows = [deserialized.object for deserialized in objects]
        size = max(self.connection.ops.bulk_batch_size(fields, rows), 1)
        for start in range(0, len(rows), size):
            model._base_manager.using(self.using)._insert(
                rows[start : start + size], fields=fields, raw=True, using=self.using, **options
            )
        self.insert_links(model, objects)
        self.deferred += [deserialized for deserialized in objects if deserialized.deferred_fields]
        self.send_post_save(model, rows)

    def insert_links(self, model, objects):
        """The rows' many-to-many links: a row's stored links are replaced by the archive's."""
        links = defaultdict(list)
        for deserialized in objects:
            for name, targets in (deserialized.m2m_data or {}).items():
                links[name].append((deserialized.object.pk, targets))
        for name, pairs in links.items():
            field = model._meta.get_field(name)
            through = field.remote_field.through
            source = field.m2m_field_name()
            target = field.m2m_reverse_field_name()
            self.models.add(through)
            manager = through._base_manager.using(self.using)
            manager.filter(**{f"{source}__in": [pk for pk, _targets in pairs]}).delete()
            manager.bulk_create(
                [
                    through(**{f"{source}_id": pk, f"{target}_id": target_pk})
                    for pk, targets in pairs
                    for target_pk in targets
                ],
                batch_size=BATCH,
            )

    def send_post_save(self, model, rows):
        """The model's post_save receivers, for each row as loaddata's raw save calls them,
        unless after_load() does their work for all rows at once."""
        if model._meta.label_lower in HANDLED_IN_BULK:
            return
        receivers = [
            receiver
            for receiver in post_save._live_receivers(model)[0]
            if receiver is not page_cache.content_changed
        ]
        for row in rows:
            for receiver in receivers:
                receiver(
                    signal=post_save,
                    sender=model,
                    instance=row,
                    created=True,
                    update_fields=None,
                    raw=True,
                    using=self.using,
                )

    def reset_sequences(self):
        statements = self.connection.ops.sequence_reset_sql(no_style(), list(self.models))
        if statements:
            with self.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


# The migrations that added the Khmer words columns: an archive made before them has none.
KHMER_WORDS_MIGRATIONS = {
    "news.newsitem": ("news", "0019_khmer_words"),
    "pages.programpage": ("pages", "0010_khmer_words"),
    "partners.municipality": ("partners", "0012_khmer_words"),
}
SEARCH_WORDS = "search.word"


def after_load(manifest):
    """What saving each row would have done, for all rows at once: the documents' text of the
    news items, the program pages' Khmer body words (from their points), and a new content
    version (every cached page is out of date). For an archive made before the Khmer words
    columns or the search suggestions' words existed, those are made as `segment_khmer` and
    `rebuild_search_words` would."""
    from news.models import refresh_documents_text

    item_model = apps.get_model("news", "NewsItem")
    linked = apps.get_model("news", "ItemDocument")._base_manager.values_list(
        "news_item_id", flat=True
    )
    item_model._base_manager.exclude(pk__in=linked).exclude(
        documents_text="", members_documents_text=""
    ).update(documents_text="", members_documents_text="")
    refresh_documents_text(list(linked.distinct()))
    for label, (app_label, name) in KHMER_WORDS_MIGRATIONS.items():
        if label == "pages.programpage" or name not in manifest["migrations"].get(app_label, []):
            refresh_khmer_words(apps.get_model(label))
    if SEARCH_WORDS not in manifest["counts"]:
        call_command("rebuild_search_words", verbosity=0)
    page_cache.content_changed()
