"""MMRareBench release files into the graph (issue 4; images first)."""
