// Both ends (uids) of every relationship of one type, as pairs in one record. Mirrors graph/store.py pairs.
MATCH (a:Node)-[:__TYPE__]->(b:Node)
RETURN collect([a.uid, b.uid]) AS pairs
