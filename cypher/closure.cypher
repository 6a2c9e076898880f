// Nodes reachable from each start over one relationship type. DISTINCT endpoints let the planner
// use a pruning (breadth-first) expand instead of enumerating every path of the DAG.
UNWIND $uids AS u
MATCH (a:Node {uid: u})
OPTIONAL MATCH (a)__LEFT__[:__TYPE__*1..]__RIGHT__(b)
WITH u, b WHERE b IS NULL OR b <> a
RETURN u AS start, collect(DISTINCT b.uid) AS reached
