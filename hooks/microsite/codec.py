"""Field values as plain JSON values, and the JSON Schema of that form, both from the field declarations.

The editors' schemas in `schemas/` describe what a data file may say (a date may be a YAML integer, a relation
type an old name); this is the form the downloads publish: dates as ISO 8601 text to the year, month or day,
references as ids, every declared key present (null, or an empty list, when the data leaves it out).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .schema import DATE, SLUG, Choice, Date, FieldType, Flag, ListOf, PartialDate, Record, Ref, RefTo, Slug, Url, When

Extra = Callable[[Record, Any], dict[str, Any]]  # more keys for a record's value (a citation's 'verified')


def exported(spec_type: FieldType, value: Any, extra: Extra | None = None) -> Any:
    """`value`, of the declared type, as JSON data."""
    if value is None:
        return None
    if isinstance(spec_type, ListOf):
        return [exported(spec_type.item, item, extra) for item in value]
    if isinstance(spec_type, When):
        return exported(spec_type.record, value, extra)
    if isinstance(spec_type, Record):
        get = value.get if isinstance(value, dict) else lambda name: getattr(value, name)
        data = {name: exported(spec.type, get(name), extra) for name, spec in spec_type.fields.items()}
        return {**data, **(extra(spec_type, value) if extra else {})}
    if isinstance(value, Ref):
        return value.id
    if isinstance(value, PartialDate):
        return value.iso()
    return value


def exported_schema(spec_type: FieldType, extra: dict[str, dict[str, dict[str, Any]]] | None = None) -> dict[str, Any]:
    """The JSON Schema of `exported` values of the type; `extra` adds properties to records, by record name."""
    extra = extra or {}
    if isinstance(spec_type, ListOf):
        return {"type": "array", "items": exported_schema(spec_type.item, extra)}
    if isinstance(spec_type, When):
        return exported_schema(spec_type.record, extra)
    if isinstance(spec_type, Record):
        properties = {name: _nullable(spec.required or spec.default is not None,
                                      {**exported_schema(spec.type, extra), "description": spec.help})
                      for name, spec in spec_type.fields.items()}
        properties.update(extra.get(spec_type.description, {}))
        return {"type": "object", "description": spec_type.help or spec_type.description, "additionalProperties": False,
                "required": list(properties), "properties": properties}
    if isinstance(spec_type, (RefTo, Slug)):
        return {"type": "string", "pattern": SLUG.pattern}
    if isinstance(spec_type, Choice):
        return {"enum": list(spec_type.choices)}
    if isinstance(spec_type, Flag):
        return {"type": "boolean"}
    if isinstance(spec_type, Date):
        return {"type": "string", "pattern": DATE.pattern}
    if isinstance(spec_type, Url):
        return {"type": "string", "format": "uri"}
    return {"type": "string"}


def _nullable(present: bool, schema: dict[str, Any]) -> dict[str, Any]:
    if present:
        return schema
    description = schema.pop("description")
    return {"anyOf": [schema, {"type": "null"}], "description": description}
