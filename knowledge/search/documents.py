"""Turning indexed model instances into Whoosh documents, and filter values into terms."""

import datetime
import decimal
import uuid

from django.conf import settings
from django.db import models
from django.utils.encoding import force_str
from modelsearch.index import AutocompleteField, FilterField, RelatedFields, SearchField

from .analysis import pack_segments, surface_words

INT_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
    "NullBooleanField",
    "DurationField",
}
DATE_TYPES = {"DateField"}
DATETIME_TYPES = {"DateTimeField"}
TIME_TYPES = {"TimeField"}
FLOAT_TYPES = {"FloatField", "DecimalField"}
EPOCH = datetime.datetime(1970, 1, 1)


def doc_id_for(model, pk) -> str:
    """The index key of an object: one document per object, whichever subclass indexed it."""
    return f"{model.indexed_get_toplevel_content_type()}:{pk}"


def content_types_for(model) -> list[str]:
    names = []
    cls = model
    while cls is not None:
        names.append(cls.indexed_get_content_type())
        cls = cls.indexed_get_parent()
    return names


def filter_field_name(path: str, internal_type: str) -> str:
    if internal_type in FLOAT_TYPES:
        return f"ff_{path}"
    if internal_type in INT_TYPES | DATE_TYPES | DATETIME_TYPES | TIME_TYPES:
        return f"fi_{path}"
    return f"fs_{path}"


def encode_filter_value(value, internal_type: str):
    """Encodes a filter value so that equal values match and ranges sort correctly."""
    if isinstance(value, models.Model):
        value = value.pk
    if internal_type in FLOAT_TYPES:
        return float(value)
    if internal_type in DATETIME_TYPES:
        if isinstance(value, datetime.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(datetime.UTC).replace(tzinfo=None)
            return (value - EPOCH) // datetime.timedelta(microseconds=1)
        if isinstance(value, datetime.date):
            return (datetime.datetime.combine(value, datetime.time()) - EPOCH) // (datetime.timedelta(microseconds=1))
        return int(value)
    if internal_type in DATE_TYPES:
        if isinstance(value, datetime.datetime):
            value = value.date()
        return value.toordinal() if isinstance(value, datetime.date) else int(value)
    if internal_type in TIME_TYPES:
        if isinstance(value, datetime.time):
            return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond
        return int(value)
    if internal_type in INT_TYPES:
        if isinstance(value, datetime.timedelta):
            return value // datetime.timedelta(microseconds=1)
        return int(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    return force_str(value)


def decode_filter_value(value, internal_type: str):
    """The model value of an indexed filter value (``encode_filter_value`` undone), for facets."""
    if internal_type in DATETIME_TYPES:
        moment = EPOCH + datetime.timedelta(microseconds=value)
        return moment.replace(tzinfo=datetime.UTC) if settings.USE_TZ else moment
    if internal_type in DATE_TYPES:
        return datetime.date.fromordinal(value)
    if internal_type in TIME_TYPES:
        seconds, microseconds = divmod(value, 1_000_000)
        minutes, second = divmod(seconds, 60)
        return datetime.time(minutes // 60, minutes % 60, second, microseconds)
    if internal_type in ("BooleanField", "NullBooleanField"):
        return bool(value)
    if internal_type == "DurationField":
        return datetime.timedelta(microseconds=value)
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(_text(item) for item in value.values())
    return force_str(value)


def _related_objects(field: RelatedFields, obj) -> list:
    value = field.get_value(obj)
    if value is None:
        return []
    if isinstance(value, models.Manager):
        return list(value.all())
    if callable(value):
        value = value()
    if isinstance(value, (list, tuple, models.QuerySet)):
        return list(value)
    return [value]


def _filter_values(value) -> list:
    if isinstance(value, models.Manager):
        value = value.all()
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return [item.pk if isinstance(item, models.Model) else item for item in value]
    return [value]


class DocumentBuilder:
    """Collects the Whoosh fields of one object from its model's ``search_fields``."""

    def __init__(self, model):
        self.model = model
        self.content_types = " ".join(content_types_for(model))
        self.search_fields = model.get_search_fields()

    def build(self, obj) -> dict:
        self.segments = []
        self.autocomplete = []
        self.fields = {}
        self.nulls = []
        self._walk(obj, type(obj), self.search_fields, prefix="")
        doc = {
            "doc_id": doc_id_for(self.model, obj.pk),
            "doc_ct": self.content_types,
            "text": pack_segments(self.segments),
            "autocomplete": pack_segments(self.autocomplete),
            "words": surface_words(text for _path, _boost, text in self.segments),
        }
        if self.nulls:
            doc["doc_null"] = " ".join(self.nulls)
        for name, values in self.fields.items():
            doc[name] = values[0] if len(values) == 1 else values
        return doc

    def _add(self, name, value):
        self.fields.setdefault(name, []).append(value)

    def _walk(self, obj, model, search_fields, prefix):
        for field in search_fields:
            if isinstance(field, SearchField):
                text = _text(field.get_value(obj))
                if text:
                    boost = float(field.boost or 1.0)
                    self.segments.append((f"{prefix}{field.field_name}", boost, text))
            elif isinstance(field, AutocompleteField):
                text = _text(field.get_value(obj))
                if text:
                    self.autocomplete.append((f"{prefix}{field.field_name}", 1.0, text))
            elif isinstance(field, FilterField):
                self._add_filter(obj, model, field, prefix)
            elif isinstance(field, RelatedFields):
                try:
                    related_model = field.get_field(model).related_model
                except Exception:  # noqa: BLE001 - a property or callable, not a relation
                    related_model = None
                for related in _related_objects(field, obj):
                    self._walk(
                        related,
                        related_model or type(related),
                        field.fields,
                        prefix=f"{prefix}{field.field_name}__",
                    )

    def _add_filter(self, obj, model, field, prefix):
        path = f"{prefix}{field.field_name}"
        internal_type = field.get_type(model)
        values = [v for v in _filter_values(field.get_value(obj)) if v is not None]
        if not values:
            self.nulls.append(path)
            return
        name = filter_field_name(path, internal_type)
        for value in values:
            self._add(name, encode_filter_value(value, internal_type))
