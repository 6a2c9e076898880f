"""MMRareBench release files into the graph: reading, images, cases, alignment, entities, export."""
