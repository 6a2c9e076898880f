// Relationships of one type at each start node; __LEFT__/__RIGHT__ set the direction.
UNWIND $uids AS u
MATCH (a:Node {uid: u})__LEFT__[r:__TYPE__]__RIGHT__(b)
RETURN u AS start, r.rid AS rid, b.uid AS node, properties(r) AS props
