"""MMRare graph, installed under one name: `mmrare.core`, `mmrare.graph`, `mmrare.api`, ... are the
repository's top-level folders (the design card's layout), mapped by pyproject.toml's package-dir.
Nothing else of this project lands in site-packages."""
