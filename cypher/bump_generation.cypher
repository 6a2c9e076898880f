// The graph's generation moves by one: run inside every transaction that writes (and after a clear),
// so a cache keyed by it never serves what a write has changed. Mirrors the embedded store's meta row.
// Each part written ($parts: labels and relationship types; '*' for a clear) records the new
// generation as its last change, on a node of its own ('changed:<part>').
MERGE (m:GraphMeta {name: 'generation'})
SET m.value = coalesce(m.value, 0) + 1
WITH m
UNWIND $parts AS part
MERGE (c:GraphMeta {name: 'changed:' + part})
SET c.value = m.value
