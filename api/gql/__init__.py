"""The GraphQL schema (strawberry), split by concern: context, types, paging, queries, mutations.
Resolvers are thin: they read through per-request dataloaders over api/service.py and check roles;
there is no store query and no Cypher here.

Open: questions, context, images, diseases, runs and public reports. Maintainer only: gold answers,
aliases, rubrics, the Orphanet alignment of items, leakage findings, judge prompts and replies.
An evaluator sees the predictions and scores of its own runs.
"""

from mmrare.api.gql.context import Context
from mmrare.api.gql.mutations import Mutation
from mmrare.api.gql.queries import Query

__all__ = ["Context", "Mutation", "Query"]
