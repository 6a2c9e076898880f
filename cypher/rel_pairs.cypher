// Both ends (uids) of every relationship of one type, and its property $prop when one is named, as
// rows in one record (the driver's cost is per record). Mirrors graph/store.py pairs and pairs_with.
MATCH (a:Node)-[r:__TYPE__]->(b:Node)
RETURN collect(CASE WHEN $prop IS NULL THEN [a.uid, b.uid] ELSE [a.uid, b.uid, r[$prop]] END) AS pairs
