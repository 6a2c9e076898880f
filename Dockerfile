# The mmrare service image: the package and its CLI; the graph store is chosen by MMRARE_GRAPH.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY api api
COPY importers importers
COPY scoring scoring
COPY cypher cypher
COPY tests/fixtures tests/fixtures
RUN pip install --no-cache-dir -e .
ENV MMRARE_GRAPH=embedded:/data/graph.json.gz MMRARE_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
ENTRYPOINT ["mmrare"]
CMD ["serve", "--demo", "--host", "0.0.0.0"]
