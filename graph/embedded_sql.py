"""The SQL of the embedded store: its schema and the statements that answer whole questions.

`node.props` and `rel.props` hold a node's or relationship's properties as a JSON object (the
node's key property included). Relationship ends are node uids ("Disease:558").
"""

from __future__ import annotations

import re
from typing import Any

from mmrare.graph.store import Where

SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value NOT NULL)",
    "CREATE TABLE node (uid TEXT PRIMARY KEY, label TEXT NOT NULL, key NOT NULL, props TEXT NOT NULL)",
    "CREATE INDEX node_label ON node (label, key)",
    # items in natural order (track, then index): a page reads its 50 rows from here, sorting nothing
    "CREATE INDEX item_order ON node (label, json_extract(props, '$.track'), json_extract(props, '$.index'), key)",
    # ends as uids; the primary key serves walks out of a node, rel_in walks into one
    "CREATE TABLE rel (src TEXT NOT NULL, type TEXT NOT NULL, dst TEXT NOT NULL, rid TEXT NOT NULL, "
    "props TEXT NOT NULL, PRIMARY KEY (src, type, dst, rid)) WITHOUT ROWID",
    "CREATE INDEX rel_in ON rel (dst, type)",
    "CREATE INDEX rel_type ON rel (type)",
)

GENERATION = "SELECT value FROM meta WHERE name = 'generation'"
BUMP_GENERATION = "UPDATE meta SET value = value + 1 WHERE name = 'generation'"
# a part's (label's or relationship type's) last change: a meta row 'changed:<part>' (store.CHANGED)
# holding the generation of the last commit that wrote it (set after BUMP_GENERATION, in its transaction)
PART_CHANGED = """INSERT INTO meta (name, value) SELECT ?, value FROM meta WHERE name = 'generation'
ON CONFLICT (name) DO UPDATE SET value = excluded.value"""
GENERATION_OF = "SELECT coalesce(max(value), 0) FROM meta WHERE name IN ({marks})"

# Upserts merge in SQLite: the row's properties are a JSON merge patch (RFC 7396, json_patch): a value
# replaces the stored one, a null removes it, and a new row keeps the non-null values. No stored
# properties are read back into Python to merge.
UPSERT_NODE = (
    "INSERT INTO node (uid, label, key, props) VALUES (?1, ?2, ?3, json_patch('{}', ?4)) "
    "ON CONFLICT (uid) DO UPDATE SET props = json_patch(node.props, ?4)"
)
# the same, for rows with no None value: a new row's text is stored as it is (json_patch parses and
# writes it again for nothing); a None must go through json_patch, which removes the property
UPSERT_NODE_PLAIN = (
    "INSERT INTO node (uid, label, key, props) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (uid) DO UPDATE SET props = json_patch(node.props, ?4)"
)
UPSERT_REL_PLAIN = (
    "INSERT INTO rel (type, src, dst, rid, props) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (src, type, dst, rid) DO UPDATE SET props = json_patch(rel.props, ?5)"
)
UPSERT_REL = (
    "INSERT INTO rel (type, src, dst, rid, props) VALUES (?1, ?2, ?3, ?4, json_patch('{}', ?5)) "
    "ON CONFLICT (src, type, dst, rid) DO UPDATE SET props = json_patch(rel.props, ?5)"
)

PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SCALARS = (bool, int, float, str)


def prefilter(where: list[Where]) -> tuple[list[str], list[Any]]:
    """SQL conditions that keep at least every row the conditions match (Python checks exactly
    afterwards): a narrowing, so a select reads only the rows it may return."""
    clauses: list[str] = []
    params: list[Any] = []
    for cond in where:
        if not PLAIN_NAME.fullmatch(cond.prop):
            continue
        value = f"json_extract(props, '$.{cond.prop}')"
        if cond.op == "eq" and isinstance(cond.value, SCALARS):
            clauses.append(f"{value} = ?")
            params.append(cond.value)
        elif (
            cond.op == "in" and isinstance(cond.value, list | tuple) and all(isinstance(v, SCALARS) for v in cond.value)
        ):
            clauses.append(f"{value} IN ({','.join('?' * len(cond.value))})" if cond.value else "0")
            params.extend(cond.value)
        elif cond.op in ("gte", "lte") and isinstance(cond.value, int | float) and not isinstance(cond.value, bool):
            clauses.append(f"{value} {'>=' if cond.op == 'gte' else '<='} ?")
            params.append(cond.value)
        elif cond.op == "has" and isinstance(cond.value, SCALARS):
            clauses.append(f"EXISTS (SELECT 1 FROM json_each(props, '$.{cond.prop}') WHERE value = ?)")
            params.append(cond.value)
        elif cond.op == "exists":
            clauses.append(f"{value} IS {'NOT ' if cond.value else ''}NULL")
    return clauses, params


# The items a subset filter selects (graph/subsets.py ItemFilter), the twin of
# cypher/item_page.cypher. `:under` is the classes asked for (empty: no such filter), and
# `:under_items` the uids of the items that answer one of them or a class below: the store works that
# out once (ITEMS_UNDER) and keeps it until a commit, not in SQL for each page.
_CHOSEN = """
WITH
  chosen AS (
    SELECT i.key, i.props, json_extract(i.props, '$.track') AS track, json_extract(i.props, '$.index') AS number
    FROM node i
    WHERE i.label = 'Item'
      AND (json_array_length(:tracks) = 0
           OR json_extract(i.props, '$.track') IN (SELECT value FROM json_each(:tracks)))
      AND (:min_images IS NULL OR json_extract(i.props, '$.nImages') >= :min_images)
      AND (:max_images IS NULL OR json_extract(i.props, '$.nImages') <= :max_images)
      AND (:leak_free IS NULL OR json_extract(i.props, '$.leakFree') = :leak_free)
      AND (json_array_length(:modalities) = 0 OR EXISTS (
            SELECT 1 FROM json_each(i.props, '$.modalities') m
            WHERE m.value IN (SELECT value FROM json_each(:modalities))))
      AND (:aligned IS NULL OR EXISTS (
            SELECT 1 FROM rel a WHERE a.src = i.uid AND a.type = 'ANSWER_IS') = :aligned)
      AND (json_array_length(:under) = 0 OR i.uid IN (SELECT value FROM json_each(:under_items)))
      AND (json_array_length(:prevalence) = 0 OR EXISTS (
            SELECT 1 FROM rel a JOIN node d ON d.uid = a.dst
            WHERE a.src = i.uid AND a.type = 'ANSWER_IS'
              AND json_extract(d.props, '$.prevalenceClass') IN (SELECT value FROM json_each(:prevalence))))
  )
"""

# One row, a JSON array of [key, props] in page order: each row fetched is a hand-back of Python's
# interpreter lock, and a busy server makes a page wait for the lock once per row.
ITEM_PAGE = (
    _CHOSEN
    + """
SELECT json_group_array(json_array(key, json(props))) FROM (
  SELECT key, props FROM chosen
  ORDER BY track, number, key
  LIMIT :limit OFFSET :offset
)
"""
)

ITEM_COUNT = _CHOSEN + "SELECT count(*) FROM chosen"

# The items answered by one of these classes (`:classes`: their uids and every class below them), in
# the order of ITEM_PAGE; CROSS JOIN fixes the join order, so each class looks its answers up by the
# rel_in index.
ITEMS_UNDER = """
SELECT json_group_array(uid) FROM (
  SELECT i.uid FROM (
    SELECT DISTINCT a.src AS uid FROM json_each(:classes) u CROSS JOIN rel a ON a.dst = u.value AND a.type = 'ANSWER_IS'
  ) x JOIN node i ON i.uid = x.uid
  ORDER BY json_extract(i.props, '$.track'), json_extract(i.props, '$.index'), i.key
)
"""

# Diseases by name or synonym (the twin of cypher/disease_search.cypher); `fold` is str.lower,
# registered on every connection, so case folding is Python's on both sides of the comparison.
DISEASE_SEARCH = """
WITH RECURSIVE
  under (uid) AS (
    SELECT 'Disease:' || :under WHERE :under IS NOT NULL
    UNION
    SELECT r.src FROM rel r JOIN under u ON r.dst = u.uid AND r.type = 'SUBCLASS_OF'
  ),
  ranked AS (
    SELECT d.key, d.props,
      (SELECT min(CASE WHEN x.low = :needle THEN 0
                       WHEN substr(x.low || ' ', 1, length(:needle) + 1) = :needle || ' ' THEN 1
                       WHEN instr(' ' || x.low || ' ', ' ' || :needle || ' ') > 0 THEN 2
                       WHEN substr(x.low, 1, length(:needle)) = :needle THEN 3 ELSE 4 END)
       FROM (SELECT fold(v) AS low FROM (
               SELECT coalesce(json_extract(d.props, '$.name'), '') AS v
               UNION ALL SELECT value FROM json_each(d.props, '$.synonyms'))) x
       WHERE :needle IS NOT NULL AND instr(x.low, :needle) > 0) AS rank
    FROM node d
    WHERE d.label = 'Disease'
      AND (:prevalence IS NULL OR json_extract(d.props, '$.prevalenceClass') = :prevalence)
      AND (:under IS NULL OR d.uid IN (SELECT uid FROM under))
  )
SELECT props FROM ranked
WHERE :needle IS NULL OR rank IS NOT NULL
ORDER BY coalesce(rank, 0),
         CASE WHEN :needle IS NULL THEN 0 ELSE length(coalesce(json_extract(props, '$.name'), '')) END,
         key
LIMIT :limit
"""


def fold(text: str | None) -> str | None:
    return text.lower() if isinstance(text, str) else text
