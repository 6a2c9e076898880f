// The graph's generation moves by one: run inside every transaction that writes (and after a clear),
// so a cache keyed by it never serves what a write has changed. Mirrors the embedded store's meta row.
MERGE (m:GraphMeta {name: 'generation'})
SET m.value = coalesce(m.value, 0) + 1
