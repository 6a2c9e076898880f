"""Orphanet sources (ORPHApackets, Orphadata XML, ORDO OWL, HPO annotations) into the one graph."""
