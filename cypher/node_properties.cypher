// A few named properties ($names) of every node of one label, by key; a missing one is null.
// Mirrors graph/store.py properties (the caller leaves nulls out).
MATCH (n:__LABEL__)
RETURN n.__KEY__ AS key, [name IN $names | n[name]] AS values
