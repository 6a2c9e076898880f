# The mmrare service image: the package and its CLI; the graph store is chosen by MMRARE_GRAPH.
# Nothing is compiled: every dependency installs from a wheel.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY graph graph
COPY cypher cypher
COPY importers importers
COPY audit audit
COPY scoring scoring
COPY api api
COPY cli cli
COPY client client
COPY mmrare mmrare
RUN pip install --no-cache-dir . && rm -rf /app/*
WORKDIR /data
ENV MMRARE_GRAPH=embedded:/data/graph.db MMRARE_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=12 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"
ENTRYPOINT ["mmrare"]
CMD ["serve", "--demo", "--host", "0.0.0.0"]
