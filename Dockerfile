# The mmrare service image: the package and its CLI; the graph store is chosen by MMRARE_GRAPH.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY api api
COPY importers importers
COPY scoring scoring
COPY cypher cypher
RUN pip install --no-cache-dir .
ENV MMRARE_GRAPH=embedded:/data/graph.json.gz
VOLUME ["/data"]
ENTRYPOINT ["mmrare"]
CMD ["graph", "stats"]
