// The uids of the items whose answer is one of these classes or a class below one, in page order
// (track, then index; items without both are never paged): walked once, down from the classes to the
// items that answer them (the SUBCLASS_OF closure, the class itself included). A page of these
// classes alone is then a slice of the list (cypher/item_page_of.cypher).
MATCH (c:Disease) WHERE c.orphaCode IN $under
MATCH (i:Item)-[:ANSWER_IS]->(:Disease)-[:SUBCLASS_OF*0..]->(c)
WITH DISTINCT i WHERE i.track IS NOT NULL AND i.index IS NOT NULL
WITH i ORDER BY i.track, i.index
RETURN collect(i.uid) AS uids
