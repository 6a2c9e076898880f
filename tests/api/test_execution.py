"""The executor's short paths (api/gql/execution.py) give graphql-core's own data and errors.

Each query runs twice, once with the short paths and once the way graphql-core executes every
field, and the two answers must be identical: on the served graph of each store, and on a small
schema made here for the cases the API's own data never has (nulls where none may be, values a
scalar refuses, permissions, async resolvers)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry
from strawberry.permission import BasePermission
from strawberry.schema.schema_converter import GraphQLCoreConverter

from mmrare.api.app import build_schema
from mmrare.api.auth import PUBLIC, Principal
from mmrare.api.gql import Context
from mmrare.api.gql.execution import (
    KNOWN_FIRST,
    DeadlineExecutionContext,
    PlainFieldsExecutionContext,
    answers_from_known,
    executor_fits,
)
from tests.api.conftest import Served, gql

FULL_PAGE = """query($after: String) {
  items(first: 30, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id track benchmark index question context nImages modalities leakFree
      images { order label image { sha256 width height format modality url thumbUrl } }
      case { caseId groupedBy nItems } } } } }"""

SHAPES = """query($id: ID!) {
  one: item(id: $id) { ...Shown images { order image { sha256 } } case { caseId } }
  again: item(id: $id) { id id2: id track @include(if: false) question @skip(if: false) __typename }
  diseases(search: "marfan", limit: 5) { orphaCode name __typename }
  runs { runId }
}
fragment Shown on Item { id nImages modalities leakFree }"""

MAINTAINER_ONLY = "query($id: ID!) { item(id: $id) { id answer aliases rubric alignment { method } } }"


def both_ways(schema_pair: tuple[Any, Any], query: str, context: Any, **variables: Any) -> tuple[Any, Any]:
    """(data, [(message, path)]) of the query run with the short paths, and without them."""
    out = []
    for schema in schema_pair:
        result = asyncio.run(
            strawberry.Schema.execute(schema, query, variable_values=variables, context_value=context())
        )
        out.append((result.data, [(e.message, e.path) for e in result.errors or []]))
    return out[0], out[1]


@pytest.fixture(scope="module")
def api_schemas() -> tuple[Any, Any]:
    return build_schema(), build_schema(short_paths=False)


def test_the_api_answers_alike_both_ways(served: Served, api_schemas: tuple[Any, Any]) -> None:
    public = lambda: Context(served.service, PUBLIC)  # noqa: E731
    maintainer = lambda: Context(served.service, Principal("maint", "maintainer"))  # noqa: E731
    first = gql(served, FULL_PAGE)["data"]["items"]
    item_id = first["edges"][3]["node"]["id"]

    short, full = both_ways(api_schemas, FULL_PAGE, public)
    assert short == full and not short[1]
    assert short[0]["items"]["edges"][0]["node"]["images"], "the page's items show images"
    after = first["pageInfo"]["endCursor"]
    short, full = both_ways(api_schemas, FULL_PAGE, public, after=after)
    assert short == full and short[0]["items"]["edges"]

    short, full = both_ways(api_schemas, SHAPES, public, id=item_id)
    assert short == full and not short[1]
    assert "track" not in short[0]["again"] and short[0]["again"]["__typename"] == "Item"

    short, full = both_ways(api_schemas, MAINTAINER_ONLY, maintainer, id=item_id)
    assert short == full and short[0]["item"]["answer"]
    short, full = both_ways(api_schemas, MAINTAINER_ONLY, public, id=item_id)
    assert short == full and short[1] and short[0] == {"item": None}  # refused the same way


# -- a schema made for the odd cases ---------------------------------------------------------------

calls: dict[str, int] = {}


class Refused(BasePermission):
    message = "refused here"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Leaf:
    name: str
    size: int | None = None


@strawberry.type
class Box:
    known: strawberry.Private[dict[str, Any]]
    label: str
    maybe_label: str | None
    count: int | None
    tags: list[str]
    maybe_tags: list[str | None] | None
    leaf: Leaf
    maybe_leaf: Leaf | None
    leaves: list[Leaf]

    @strawberry.field
    @answers_from_known
    def computed(self) -> str:
        calls["computed"] = calls.get("computed", 0) + 1
        return self.known.get("computed", f"worked out for {self.label}")

    @strawberry.field
    @answers_from_known
    def computed_leaf(self) -> Leaf | None:
        calls["computed_leaf"] = calls.get("computed_leaf", 0) + 1
        return self.known.get("computed_leaf", Leaf(name="worked out"))

    @strawberry.field(permission_classes=[Refused])
    def guarded(self) -> str:
        return self.known.get("guarded", "never")

    @strawberry.field
    def checked_in_body(self, info: strawberry.Info) -> str:
        # a role check written the way the app writes them: in the resolver's body, not a permission class
        if (info.context or {}).get("role") != "maintainer":
            raise PermissionError("maintainers only")
        return self.known.get("checked_in_body", "worked out")

    @strawberry.field
    async def later(self) -> list[Leaf]:
        await asyncio.sleep(0)
        return [Leaf(name=f"later {self.label}")]


def box(**changes: Any) -> Box:
    values: dict[str, Any] = {
        "known": {},
        "label": "a",
        "maybe_label": None,
        "count": 3,
        "tags": ["x", "y"],
        "maybe_tags": ["x", None],
        "leaf": Leaf(name="leaf", size=2),
        "maybe_leaf": None,
        "leaves": [Leaf(name="l1"), Leaf(name="l2", size=None)],
    }
    values.update(changes)
    return Box(**values)


BOXES: dict[str, list[Box]] = {}


@strawberry.type
class Query:
    @strawberry.field
    def boxes(self, case: str) -> list[Box | None]:
        return BOXES[case]  # type: ignore[return-value]


ODD_SCHEMAS = (
    strawberry.Schema(query=Query, execution_context_class=PlainFieldsExecutionContext),
    strawberry.Schema(query=Query),
)
EVERYTHING = """query($case: String!) { boxes(case: $case) {
  label maybeLabel count tags maybeTags leaf { name size } maybeLeaf { name } leaves { name size }
  computed computedLeaf { name } later { name } } }"""


@pytest.mark.parametrize(
    "case, boxes, expected_error",
    [
        ("ordinary", [box(), box(label="b", maybe_leaf=Leaf(name="m"))], None),
        ("non-null holds None", [box(), box(label=None)], "Cannot return null for non-nullable field Box.label."),
        ("Int over 32 bits", [box(count=2**31)], "Int cannot represent non 32-bit signed integer value: 2147483648"),
        ("String holds a number", [box(label=5)], None),  # serialized as "5" both ways
        ("String holds a list", [box(label=["no"])], "String cannot represent value: ['no']"),
        ("None inside a non-null list", [box(tags=["x", None])], "Cannot return null for non-nullable field Box.tags."),
        ("list holds a string", [box(tags="xy")], "Expected Iterable, but did not find one for field 'Box.tags'."),
        ("non-null object holds None", [box(leaf=None)], "Cannot return null for non-nullable field Box.leaf."),
        (
            "error deep in an object",
            [box(leaf=Leaf(name=None))],
            "Cannot return null for non-nullable field Leaf.name.",
        ),
        ("known values", [box(known={"computed": "known", "computed_leaf": Leaf(name="known leaf")})], None),
        ("known None in a nullable object", [box(known={"computed_leaf": None})], None),
    ],
)
def test_odd_values_answer_alike_both_ways(case: str, boxes: list[Box], expected_error: str | None) -> None:
    BOXES[case] = boxes
    short, full = both_ways(ODD_SCHEMAS, EVERYTHING, lambda: None, case=case)
    assert short == full
    messages = [m for m, _ in short[1]]
    assert (expected_error in " | ".join(messages)) if expected_error else not messages, messages


def test_a_known_value_is_taken_without_calling_the_resolver() -> None:
    BOXES["known"] = [box(known={"computed": "known", "computed_leaf": Leaf(name="kept")}), box(label="b")]
    calls.clear()
    result = asyncio.run(ODD_SCHEMAS[0].execute('{ boxes(case: "known") { computed computedLeaf { name } } }'))
    assert result.errors is None
    assert result.data == {
        "boxes": [
            {"computed": "known", "computedLeaf": {"name": "kept"}},
            {"computed": "worked out for b", "computedLeaf": {"name": "worked out"}},
        ]
    }
    assert calls == {"computed": 1, "computed_leaf": 1}  # the second box only: it knows nothing


def test_a_permission_is_never_skipped_for_a_known_value() -> None:
    BOXES["guarded"] = [box(known={"guarded": "secret"})]
    for schema in ODD_SCHEMAS:
        result = asyncio.run(schema.execute('{ boxes(case: "guarded") { label guarded } }'))
        assert result.data == {"boxes": [None]}
        assert [e.message for e in result.errors or []] == ["refused here"]


def test_a_role_checked_in_a_resolver_body_is_never_skipped_for_a_known_value() -> None:
    """The resolver is not marked @answers_from_known: whatever `known` holds, it runs, and refuses."""
    BOXES["in body"] = [box(known={"checked_in_body": "secret"})]
    query = '{ boxes(case: "in body") { label checkedInBody } }'
    for schema in ODD_SCHEMAS:
        refused = asyncio.run(schema.execute(query, context_value={"role": "public"}))
        assert refused.data == {"boxes": [None]} and [e.message for e in refused.errors or []] == ["maintainers only"]
        allowed = asyncio.run(schema.execute(query, context_value={"role": "maintainer"}))
        assert allowed.errors is None and allowed.data == {"boxes": [{"label": "a", "checkedInBody": "secret"}]}


def test_the_resolvers_the_short_path_may_skip_are_few_and_named() -> None:
    """Every resolver the app lets the short path skip: adding one is a decision made here."""
    schema = build_schema()
    marked = set()
    for name, kind in schema._schema.type_map.items():  # graphql-core's types, with strawberry's definitions
        for field_name, field in getattr(kind, "fields", {}).items() if hasattr(kind, "fields") else []:
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            resolver = getattr(definition, "base_resolver", None)
            if resolver is not None and getattr(resolver.wrapped_func, KNOWN_FIRST, False):
                marked.add(f"{name}.{field_name}")
    assert marked == {"Item.leakFree", "Item.images", "Item.case"}


def test_the_stock_executor_runs_when_the_installed_one_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    import mmrare.api.app as app_module

    assert executor_fits() == []  # the pinned graphql-core and strawberry fit

    class Elsewhere:
        def execute_fields(self, parent_type, source_value, path, fields, position_context): ...  # type: ignore[no-untyped-def]

    assert "execute_fields" in executor_fits(Elsewhere) and "execute_field" in executor_fits(Elsewhere)
    monkeypatch.setattr(app_module, "executor_fits", lambda: ["execute_field"])
    assert app_module.build_schema().execution_context_class is DeadlineExecutionContext
    monkeypatch.undo()
    monkeypatch.setenv("MMRARE_SHORT_PATHS", "0")
    assert app_module.build_schema().execution_context_class is DeadlineExecutionContext
    monkeypatch.delenv("MMRARE_SHORT_PATHS")
    assert app_module.build_schema().execution_context_class is PlainFieldsExecutionContext
