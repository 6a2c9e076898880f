// Which of the given uids have no node (to name the endpoint a relationship batch lacks).
UNWIND $uids AS u
OPTIONAL MATCH (n:Node {uid: u})
WITH u, n WHERE n IS NULL
RETURN u AS uid
