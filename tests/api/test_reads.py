"""Which parts of the graph an operation reads (api/gql/reads.py): content only when every field it
selects is declared content, wherever the field hides (aliases, fragments, inline fragments)."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, parse

from mmrare.api.app import build_schema
from mmrare.api.gql.reads import parts_read
from mmrare.graph.model import CONTENT


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


@pytest.mark.parametrize(
    "document",
    [
        '{ items(first: 5, track: "diagnosis") { totalCount pageInfo { endCursor } edges { node { id leakFree '
        "images { order image { sha256 thumbUrl } } case { caseId } } } } }",
        "{ role releaseMode benchmarks { name tracks { name } } }",
        "{ disease(orphaCode: 558) { name ancestors { orphaCode } phenotypes { frequency } items { id } } }",
        '{ leakageSummary { track flagged } coverage(by: "prevalence") { cells { group items } } }',
        "{ leakageFindings(first: 2) { edges { node { kind path } } } }",
        "query { ...Page } fragment Page on Query { items(first: 1) { edges { node { id } } } }",
        "{ __typename __schema { queryType { name } } items(first: 1) { totalCount } }",  # the schema's shape
    ],
)
def test_content_operations(schema: GraphQLSchema, document: str) -> None:
    assert parts_read(schema, parse(document)) == CONTENT


@pytest.mark.parametrize(
    "document",
    [
        "{ graphVersion }",  # a number every write moves
        "{ runs { runId } }",
        '{ report(by: "track", metric: "tokenF1") { rows { n } } }',
        "{ items(first: 1) { edges { node { id predictions { text } } } } }",  # results through an item
        "{ items(first: 1) { edges { node { guesses: predictions { text } } } } }",  # under an alias
        "{ items(first: 1) { edges { node { ...Guesses } } } } fragment Guesses on Item { predictions { runId } }",
        "{ items(first: 1) { edges { node { ... on Item { predictions { runId } } } } } }",
        "{ role } fragment Unused on Item { predictions { runId } }",  # the whole document is looked at
        "{ releaseMode studyTables { run } }",
        "{ items(first: 1) { totalCount } noSuchField }",  # fails on its own path; kept for the graph
        'mutation { scoreRun(runId: "r") { judged } }',
    ],
)
def test_operations_that_read_results(schema: GraphQLSchema, document: str) -> None:
    assert parts_read(schema, parse(document)) is None
