"""Turning pydantic's validation errors into problems with a position and plain words."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from aligna.files.located import Where, key_position, locate

# What a field holds, for "missing, expected ..." messages.
EXPECTED = {
    "id": "an id",
    "name": "a name",
    "owner": "a person id",
    "person": "a person id",
    "manager": "a person id",
    "unit": "a unit id",
    "kpi": "a KPI id",
    "item": "a KPI or initiative id",
    "objective": "an objective id",
    "vision_target": "a vision target id",
    "polarity": "one of higher_is_better, lower_is_better, within_range",
    "frequency": "one of day, week, month, quarter",
    "aggregation": "one of sum, mean, last",
    "role": "one of accountable, contributor, influencer",
    "kind": "a kind",
    "source": "'manual' or a mapping with connection and query",
    "url": "a SQLAlchemy URL",
    "start": "a date YYYY-MM-DD",
    "end": "a date YYYY-MM-DD",
    "due": "a date YYYY-MM-DD",
    "period": "a period like 2026-03",
    "value": "a number",
    "email": "an email address",
    "total": "one of sum, mean, none",
    "unit_kind": "a unit kind such as team",
    "days": "a whole number of days, 1 to 365",
    "levels": "a whole number of levels, 0 to 10",
}

MISSING_MESSAGES = {
    ("KpiModel", "owner"): "a KPI needs an owner (the accountable person), expected a person id",
    ("InitiativeModel", "owner"): "an initiative needs an owner, expected a person id",
    ("AppriseModel", "url"): "a destination needs a URL, expected an Apprise URL such as "
    "slack://${SLACK_TOKEN_A}/${SLACK_TOKEN_B}/${SLACK_TOKEN_C}/#channel",
}


def add_validation_errors(
    problems: Any, where: Where, error: ValidationError, model: type[BaseModel]
) -> None:
    """Record every error of one entity's validation, located inside the entity."""
    items = error.errors(include_url=False)
    missing = {_loc(item) for item in items if item["type"] == "missing"}
    # A misspelt required field (polarty) is one mistake: reported at the misspelling only.
    misspelt = {
        (*_loc(item)[:-1], guess)
        for item in items
        if item["type"] == "extra_forbidden"
        for guess in _guesses(model, _loc(item))
    } & missing
    for item in items:
        loc = _loc(item)
        kind = item["type"]
        if kind == "extra_forbidden":
            parent = _node_at(where.node, loc[:-1])
            position = key_position(parent, str(loc[-1])) if where.node is not None else None
            line, column = position or where.of(*loc[:-1])
            # A suggestion only for a field not given already: `nme` next to `name` is not it.
            guesses = [
                g for g in _guesses(model, loc) if not (isinstance(parent, dict) and g in parent)
            ]
            allowed = ", ".join(_fields_at(model, loc[:-1]))
            message = f"unknown field, expected one of: {allowed}"
            if guesses:
                message = f"unknown field, expected '{guesses[0]}'"
            problems.add(where.file, line, column, where.field(*loc), message)
            continue
        if kind == "missing" and loc in misspelt:
            continue
        if kind == "missing":
            line, column = where.of(*loc[:-1]) if where.node is not None else where.of(*loc)
            owner_model = _model_at(model, loc[:-1])
            name = str(loc[-1]) if loc else "value"
            special = MISSING_MESSAGES.get((getattr(owner_model, "__name__", ""), name))
            message = special or f"missing, expected {EXPECTED.get(name, 'a value')}"
            problems.add(where.file, line, column, where.field(*loc), message)
            continue
        line, column = where.of(*loc)
        message = describe(item)
        name = str(loc[-1]) if loc else ""
        fields = _fields_at(model, loc)
        if kind == "string_too_short" and name in EXPECTED:
            message = f"is empty, expected {EXPECTED[name]}"
        if kind in {"dict_type", "model_type", "model_attributes_type"} and fields:
            wanted = (
                EXPECTED["source"] if name == "source" else f"a mapping with {', '.join(fields)}"
            )
            message = f"{_shown(item.get('input'))} is not a mapping, expected {wanted}"
        problems.add(where.file, line, column, where.field(*loc), message)


def _loc(item: Any) -> tuple[str | int, ...]:
    return tuple(part for part in item["loc"] if isinstance(part, str | int))


def _guesses(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The known fields an unknown one is probably a misspelling of."""
    if not loc:
        return []
    return difflib.get_close_matches(str(loc[-1]), _fields_at(model, loc[:-1]), n=1, cutoff=0.75)


def describe(item: dict[str, Any]) -> str:
    """One pydantic error in plain words: what is wrong, what was expected."""
    kind = item["type"]
    ctx = item.get("ctx") or {}
    shown = _shown(item.get("input"))
    if kind in {"enum", "literal_error"}:
        choices = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"{shown} is not allowed, expected one of {choices}"
    if kind in {"float_parsing", "float_type", "finite_number"}:
        return f"{shown} is not a number, expected a number"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"{shown} is not a whole number, expected a whole number"
    if kind in {"bool_parsing", "bool_type"}:
        return f"{shown} is not true or false, expected true or false"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{shown} is not a date, expected a date YYYY-MM-DD"
    if kind == "greater_than_equal":
        return f"{shown} is too small, expected a value >= {_number(ctx.get('ge'))}"
    if kind == "greater_than":
        return f"{shown} is too small, expected a value > {_number(ctx.get('gt'))}"
    if kind == "less_than_equal":
        return f"{shown} is too large, expected a value <= {_number(ctx.get('le'))}"
    if kind == "less_than":
        return f"{shown} is too large, expected a value < {_number(ctx.get('lt'))}"
    if kind == "string_too_short":
        return "is empty, expected text"
    if kind == "string_too_long":
        return f"is too long, expected at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"{shown} is not an email address, expected name@domain.example"
    if kind in {"list_type", "tuple_type"}:
        return f"{shown} is not a list, expected a list"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"{shown} is not a mapping, expected a mapping of fields"
    if kind == "string_type":
        return f"{shown} is not text, expected text"
    message = str(item.get("msg", "is not valid"))
    return message.removeprefix("Value error, ")


def _number(value: Any) -> str:
    # 0.0 -> 0: limits are written the way people write them.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shown(value: Any) -> str:
    if isinstance(value, CommentedMap | dict):
        return "a mapping"
    if isinstance(value, CommentedSeq | list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a number as written in YAML; CSV cells are text and get quotes
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"'{text}'"


def _node_at(node: Any, loc: tuple[str | int, ...]) -> Any:
    for key in loc:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _model_at(model: Any, loc: tuple[str | int, ...]) -> Any:
    """The pydantic model class a location inside a model points at, if any."""
    current: Any = model
    for key in loc:
        current = _unwrap(current)
        if isinstance(key, int):
            args = typing.get_args(current)
            current = args[0] if args else None
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(key)
        current = field.annotation if field else None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    # Optional[X], Annotated[X, ...] -> X; list[X] stays a list for index steps.
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = options[0] if len(options) == 1 else annotation
            if len(options) != 1:
                return annotation
        else:
            return annotation


def _fields_at(model: Any, loc: tuple[str | int, ...]) -> list[str]:
    target = _model_at(model, loc)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


__all__ = ["add_validation_errors", "describe", "locate"]
