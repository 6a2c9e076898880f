// Relationships of one type at each start node; __LEFT__/__RIGHT__ set the direction.
// USING INDEX SEEK: a plan made while the graph was empty (after a clear) scanned the whole index for
// each row once the graph filled up (an Orphanet import took 84 s instead of 11 s); the hint keeps the seek.
UNWIND $uids AS u
MATCH (a:Node {uid: u})__LEFT__[r:__TYPE__]__RIGHT__(b) USING INDEX SEEK a:Node(uid)
RETURN u AS start, r.rid AS rid, b.uid AS node, properties(r) AS props
