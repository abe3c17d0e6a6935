"""Queryset filters as whoosh queries, and which filters only the database can apply."""

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Subquery
from django.db.models.expressions import Col
from django.db.models.functions.datetime import Extract
from django.db.models.lookups import Lookup
from django.db.models.sql import Query
from django.db.models.sql.constants import MULTI, SINGLE
from django.db.models.sql.where import NothingNode, WhereNode
from modelsearch.index import RelatedFields
from whoosh import query as wq

from .documents import encode_filter_value, filter_field_name

SUPPORTED_LOOKUPS = {
    "exact",
    "isnull",
    "startswith",
    "prefix",
    "gt",
    "gte",
    "lt",
    "lte",
    "range",
    "in",
}


def where_needs_database(queryset) -> bool:
    """True when a filter spans a relation, an unindexable lookup or a skipped pointer field."""
    return _node_needs_database(queryset.query, queryset.query.where)


def _node_needs_database(query, node) -> bool:
    if isinstance(node, NothingNode):
        return False
    if isinstance(node, WhereNode):
        return any(_node_needs_database(query, child) for child in node.children)
    if not isinstance(node, Lookup):
        return True
    lhs = node.lhs
    if isinstance(lhs, Extract):
        lhs = lhs.lhs
    if not isinstance(lhs, Col):
        return True
    if node.lookup_name not in SUPPORTED_LOOKUPS and not isinstance(node.lhs, Extract):
        return True
    # modelsearch ignores "*_ptr_id" lookups (child page types); the database must apply them.
    if lhs.target.attname.endswith("_ptr_id"):
        return True
    alias = lhs.alias
    while alias is not None:
        join = query.alias_map[alias]
        join_field = getattr(join, "join_field", None)
        if join_field is not None and not (
            join_field.one_to_one and getattr(join_field.remote_field, "parent_link", False)
        ):
            return True
        alias = getattr(join, "parent_alias", None)
    return False


def _resolve_subquery(value, queryset, many):
    if isinstance(value, (Query, Subquery)):
        db_alias = queryset._db or DEFAULT_DB_ALIAS
        sql_query = value.query if isinstance(value, Subquery) else value
        if many:
            rows = sql_query.get_compiler(db_alias).execute_sql(result_type=MULTI)
            return [row[0] for chunk in rows for row in chunk]
        row = sql_query.get_compiler(db_alias).execute_sql(result_type=SINGLE)
        return row[0] if row else None
    return value


def lookup_query(queryset, field_path, lookup, value):
    """The whoosh query for one ``field__lookup=value`` filter."""
    model = queryset.model
    for related in field_path[:-1]:
        if isinstance(related, RelatedFields):
            model = related.get_field(model).related_model
    field = field_path[-1]
    path = "__".join(f.field_name for f in field_path)
    internal_type = field.get_type(model)
    name = filter_field_name(path, internal_type)

    def enc(v):
        return encode_filter_value(v, internal_type)

    if lookup == "isnull":
        q = wq.Term("doc_null", path)
        return q if value else wq.Not(q)
    if lookup == "exact":
        value = _resolve_subquery(value, queryset, many=False)
        if value is None:
            return wq.Term("doc_null", path)
        return wq.Term(name, enc(value))
    if lookup == "in":
        values = _resolve_subquery(value, queryset, many=True)
        values = [v for v in values if v is not None]
        if not values:
            return wq.NullQuery
        return wq.Or([wq.Term(name, enc(v)) for v in values])
    if lookup in ("startswith", "prefix"):
        return wq.Prefix(name, enc(value))
    if lookup in ("gt", "gte", "lt", "lte", "range"):
        if lookup == "range":
            start, end = (enc(v) for v in value)
            startexcl = endexcl = False
        else:
            start = enc(value) if lookup in ("gt", "gte") else None
            end = enc(value) if lookup in ("lt", "lte") else None
            startexcl, endexcl = lookup == "gt", lookup == "lt"
        if name.startswith("fs_"):
            return wq.TermRange(name, start, end, startexcl=startexcl, endexcl=endexcl)
        return wq.NumericRange(name, start, end, startexcl=startexcl, endexcl=endexcl)
    return None
