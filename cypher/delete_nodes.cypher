// Delete nodes and all their relationships.
UNWIND $uids AS u
MATCH (n:Node {uid: u})
DETACH DELETE n
