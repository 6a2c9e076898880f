// Merge nodes of one label by key; properties are merged (a null value removes a property).
UNWIND $rows AS row
MERGE (n:__LABEL__ {__KEY__: row.key})
  ON CREATE SET n:Node, n.uid = row.uid
SET n += row.props
