// One page of items (cypher/item_page.cypher) with the content's generation it was read at
// (cypher/generation_of.cypher), in one statement: one round trip where the store already keeps the
// subset's count for that generation (graph/neo4j_store.py item_page_linked). Both are read by one
// transaction, as when they are asked one after the other inside it.
CALL () {
__GENERATION__
}
CALL () {
__PAGE__
}
RETURN generation, page
