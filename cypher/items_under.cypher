// The uids of the items whose answer is one of these classes or a class below one: walked once, down
// from the classes to the items that answer them (the SUBCLASS_OF closure, the class itself included).
MATCH (c:Disease) WHERE c.orphaCode IN $under
MATCH (i:Item)-[:ANSWER_IS]->(:Disease)-[:SUBCLASS_OF*0..]->(c)
RETURN collect(DISTINCT i.uid) AS uids
