"""GraphQL execution with a short path for plain fields.

A page of 50 items with their images is about 2,900 fields, and nearly all of them are plain: a
strawberry field with no resolver, permission or extension (it reads an attribute) and no
arguments. graphql-core gives every field the same full treatment (a resolve-info object,
argument coercion, awaitable checks, a chain of completion calls), which was most of a page's
cost. Here:

- a plain field of a scalar or list-of-scalars type is read and serialized in place;
- a plain field of an object type goes straight to its sub-selection;
- a resolver field whose value the source object already holds in its `known` mapping (a page
  works out its items' images and case at once) takes that value without calling the resolver,
  but only when the resolver is marked `@answers_from_known`: it answers from `known` first, and
  whoever fills `known` has applied the caller's policy (the service's page does). A resolver
  without the mark always runs, so a role check in its body is never skipped, whatever `known`
  holds. Skipping saves strawberry's per-call work (an Info object, argument binding, wrappers).

Anything unusual (directives, middleware, a null, a value the scalar refuses, an awaitable, an
object type with an `is_type_of` check) takes graphql-core's own path, so the data and the
errors are graphql-core's (tests/api/test_execution.py runs queries both ways and compares).

This leans on graphql-core 3.3's executor (`execute_fields`, `execute_field` and
`collect_and_execute_subfields` and their arguments), which is why pyproject.toml pins graphql-core
and strawberry exactly; `executor_fits()` checks the methods it overrides and calls at startup, and
the app falls back to the stock executor when they differ (or when MMRARE_SHORT_PATHS=0).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLString,
    Undefined,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.type.scalars import GRAPHQL_MAX_INT, GRAPHQL_MIN_INT
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from mmrare.api.limits import check_deadline

# The executor's methods the short paths override or call, with the parameters they are written for.
EXPECTED_SIGNATURES = {
    "execute_fields": ("self", "parent_type", "source_value", "path", "grouped_field_set", "position_context"),
    "execute_field": ("self", "parent_type", "source", "field_details_list", "path", "position_context"),
    "collect_and_execute_subfields": (
        "self", "return_type", "field_details_list", "path", "result", "position_context",
    ),
    "complete_value": ("self", "return_type", "field_details_list", "info", "path", "result", "position_context"),
    "build_resolve_info": ("self", "field_def", "field_nodes", "parent_type", "path"),
    "handle_field_error": ("self", "raw_error", "return_type", "field_details_list", "path"),
}  # fmt: skip
KNOWN_FIRST = "_answers_from_known"


def executor_fits(base: type = StrawberryGraphQLCoreExecutionContext) -> list[str]:
    """The overridden or called methods whose parameters differ from what the short paths are written
    for (empty: they fit)."""
    wrong = []
    for name, expected in EXPECTED_SIGNATURES.items():
        method = getattr(base, name, None)
        if method is None or tuple(inspect.signature(method).parameters) != expected:
            wrong.append(name)
    return wrong


def answers_from_known(resolver: Any) -> Any:
    """Marks a resolver that answers from its source's `known` first, where `known` is filled with the
    caller's policy applied: the short path may take that value without calling it."""
    setattr(resolver, KNOWN_FIRST, True)
    return resolver


class NotPlain(Exception):
    """This value needs graphql-core's full treatment (which raises the located error, if any)."""


@dataclass(frozen=True)
class ReadField:
    """A field read without its resolver: from the source's attribute, or from its `known`."""

    attribute: str
    known: bool

    def read(self, source: Any) -> Any:
        """The value the field resolves to on source (KeyError or AttributeError: not at hand)."""
        return source.known[self.attribute] if self.known else getattr(source, self.attribute)


@dataclass(frozen=True)
class ScalarField(ReadField):
    """A field of a scalar or list-of-scalars type, and how to serialize its value."""

    leaf: GraphQLLeafType
    non_null: bool
    is_list: bool
    items_non_null: bool

    def complete(self, value: Any) -> Any:
        """The value as graphql-core completes it; NotPlain where that takes more than serializing."""
        if value is None:
            if self.non_null:
                raise NotPlain
            return None
        if not self.is_list:
            return serialized(self.leaf, value)
        if type(value) is not list and type(value) is not tuple:
            raise NotPlain
        out: list[Any] = []
        for entry in value:
            if entry is None:
                if self.items_non_null:
                    raise NotPlain
                out.append(None)
            else:
                out.append(serialized(self.leaf, entry))
        return out


@dataclass(frozen=True)
class OtherField(ReadField):
    """Any other field: its definition, and the object type when it is one (its sub-selection is
    executed at once)."""

    field: GraphQLField
    object_type: GraphQLObjectType | None


def short_path(field: GraphQLField) -> ScalarField | OtherField | None:
    """How to read a field without its resolver, else None (the full path).

    A plain field (no resolver, permission or extension) is read from its attribute; a field with
    a resolver but no permission or extension is read from the source's `known`, when it is there.
    Fields with arguments always take the full path."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or field.args or definition.extensions or getattr(definition, "permission_classes", None):
        return None
    known = not getattr(field.resolve, "_is_default", False)
    if known and definition.base_resolver is None:
        return None  # a resolver made some other way
    if known and not getattr(definition.base_resolver.wrapped_func, KNOWN_FIRST, False):
        return None  # a resolver not marked runs, role checks in its body and all
    if not known and getattr(definition, "default_resolver", getattr) is not getattr:
        return None  # a schema configured to read attributes some other way
    name = definition.python_name
    non_null = is_non_null_type(field.type)
    kind = field.type.of_type if non_null else field.type  # type: ignore[union-attr]
    if is_leaf_type(kind):
        return ScalarField(name, known, kind, non_null, False, False)
    if is_list_type(kind):
        item = kind.of_type
        items_non_null = is_non_null_type(item)
        item = item.of_type if items_non_null else item
        if is_leaf_type(item):
            return ScalarField(name, known, item, non_null, True, items_non_null)
    simple_object = is_object_type(kind) and kind.is_type_of is None
    return OtherField(name, known, field, kind if simple_object else None)  # type: ignore[arg-type]


def serialized(leaf: GraphQLLeafType, value: Any) -> Any:
    """graphql-core's completion of a leaf value; the built-in scalars' identities are taken at once."""
    kind = type(value)
    if kind is str and (leaf is GraphQLString or leaf is GraphQLID):
        return value
    if kind is int and leaf is GraphQLInt and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
        return value
    if kind is bool and leaf is GraphQLBoolean:
        return value
    if kind is float and leaf is GraphQLFloat and math.isfinite(value):
        return value
    if inspect.isawaitable(value) or isinstance(value, Exception):
        raise NotPlain
    try:
        done = leaf.coerce_output_value(value)
    except Exception as exc:
        raise NotPlain from exc
    if done is None or done is Undefined:
        raise NotPlain
    return done


@dataclass(frozen=True)
class FieldSetPlan:
    """A selection's fields split by path: scalars read in place, the rest executed (those with an
    OtherField plan short-cut in `execute_field`). `fields` is held so that its id is not reused
    meanwhile."""

    fields: Any
    scalars: dict[str, ScalarField]
    others: dict[str, Any]


class DeadlineExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, stopping at the next object once the operation's time is up."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        check_deadline()
        return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)


class PlainFieldsExecutionContext(DeadlineExecutionContext):
    """Strawberry's execution context, with the short paths of the module's doc."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._short = not (manager and manager.middlewares)  # middleware must see every field
        self._field_sets: dict[int, FieldSetPlan] = {}
        self._others: dict[int, tuple[Any, OtherField | None]] = {}  # id(field details) -> (them, plan)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if not self._short:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        check_deadline()
        plan = self._field_set_plan(parent_type, grouped_field_set)
        scalars: dict[str, Any] = {}
        others = plan.others
        for name, field in plan.scalars.items():
            try:
                scalars[name] = field.complete(field.read(source_value))
            except Exception:  # NotPlain, or not at hand: the full path says what is wrong
                others = dict(others) if others is plan.others else others  # this object's own copy
                others[name] = grouped_field_set[name]
        if not others:
            return scalars
        rest = super().execute_fields(parent_type, source_value, path, others, position_context)

        def in_order(rest: dict[str, Any]) -> dict[str, Any]:  # the response keeps the query's order
            return {
                name: scalars[name] if name in scalars else rest[name]
                for name in grouped_field_set
                if name in scalars or name in rest
            }

        if self.is_awaitable(rest):

            async def later() -> dict[str, Any]:
                return in_order(await rest)

            return later()
        return in_order(rest)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        plan = self._others.get(id(field_details_list), (None, None))[1] if self._short else None
        try:
            value = plan.read(source) if plan is not None else None
        except (KeyError, AttributeError):
            value = None  # not at hand: the resolver works it out
        if plan is None or value is None or isinstance(value, Exception) or self.is_awaitable(value):
            return super().execute_field(parent_type, source, field_details_list, path, position_context)
        # what graphql-core does with a resolved value; an object's sub-selection needs no resolve
        # info (it serves resolvers, abstract types and is_type_of only)
        try:
            if plan.object_type is not None:
                completed = self.collect_and_execute_subfields(
                    plan.object_type, field_details_list, path, value, position_context
                )
            else:
                info = self.build_resolve_info(plan.field, [d.node for d in field_details_list], parent_type, path)
                completed = self.complete_value(
                    plan.field.type, field_details_list, info, path, value, position_context
                )
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.field.type, field_details_list, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as raw_error:
                self.handle_field_error(raw_error, plan.field.type, field_details_list, path)
                return None

        return await_completed()

    def _field_set_plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> FieldSetPlan:
        """The plan of a selection, worked out once per operation (a list of objects shares one)."""
        plan = self._field_sets.get(id(grouped_field_set))
        if plan is None:
            scalars: dict[str, ScalarField] = {}
            others: dict[str, Any] = {}
            for name, details in grouped_field_set.items():
                field = self._short_path(parent_type, details)
                if isinstance(field, ScalarField):
                    scalars[name] = field
                else:
                    others[name] = details
                    self._others[id(details)] = (details, field)
            plan = self._field_sets[id(grouped_field_set)] = FieldSetPlan(grouped_field_set, scalars, others)
        return plan

    def _short_path(self, parent_type: GraphQLObjectType, field_details_list: Any) -> ScalarField | OtherField | None:
        node = field_details_list[0].node
        if len(field_details_list) != 1 or node.arguments or node.directives:
            return None  # merged selections, arguments and directives take the full path
        field = self.schema.get_field(parent_type, node.name.value)
        return short_path(field) if field is not None else None
