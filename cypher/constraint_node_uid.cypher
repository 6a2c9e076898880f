// Every node also carries :Node and a label-qualified uid, so generic queries can address any node.
CREATE CONSTRAINT node_uid IF NOT EXISTS FOR (n:Node) REQUIRE n.uid IS UNIQUE
