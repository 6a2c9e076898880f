// One node per fact about the graph itself (its generation); outside the domain's :Node label.
CREATE CONSTRAINT graph_meta_name IF NOT EXISTS FOR (m:GraphMeta) REQUIRE m.name IS UNIQUE
