"""Every Cypher statement the Neo4j store runs, one named .cypher file each (loaded by graph/cypher.py)."""
