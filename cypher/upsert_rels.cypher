// Merge relationships of one type between existing nodes; rid tells parallel ones apart.
// Returns how many rows found both endpoints, so the caller can reject the batch otherwise.
UNWIND $rows AS row
MATCH (a:Node {uid: row.src})
MATCH (b:Node {uid: row.dst})
MERGE (a)-[r:__TYPE__ {rid: row.rid}]->(b)
SET r += row.props
RETURN count(r) AS written
