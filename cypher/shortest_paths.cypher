// All shortest paths (1..__HOPS__ relationships of the allowed __TYPES__) for each source/target pair.
UNWIND $sources AS s
MATCH (a:Node {uid: s})
UNWIND $targets AS t
MATCH (b:Node {uid: t})
WITH a, b WHERE a <> b
MATCH p = allShortestPaths((a)__LEFT__[:__TYPES__*1..__HOPS__]__RIGHT__(b))
RETURN [n IN nodes(p) | n.uid] AS uids, [r IN relationships(p) | type(r)] AS types
