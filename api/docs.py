"""GraphiQL, Swagger UI and ReDoc with no internet: their scripts and styles are served from
installed packages (`graphene-django-graphiql-static` ships GraphiQL and React, `fastapi-offline`
ships Swagger UI and ReDoc), so no page asks a CDN for anything."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
import graphene_django_graphiql_static
import plotly
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

GRAPHIQL_ASSETS = Path(graphene_django_graphiql_static.__file__).parent / "static" / "graphene_django_graphiql_static"
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
PLOTLY_ASSETS = Path(plotly.__file__).parent / "package_data"  # plotly.min.js, for the dashboard's charts

GRAPHIQL_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>MMRare graph: GraphiQL</title>
  <link rel="stylesheet" href="/assets/graphiql/graphiql.min.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL...</div>
  <script src="/assets/graphiql/react.production.min.js"></script>
  <script src="/assets/graphiql/react-dom.production.min.js"></script>
  <script src="/assets/graphiql/graphiql.min.js"></script>
  <script>
    // the API key, when one is kept in this browser, goes with every request (as the dashboard does)
    const key = localStorage.getItem("mmrare-key");
    const fetcher = GraphiQL.createFetcher({ url: "/graphql", headers: key ? { "X-API-Key": key } : {} });
    const ide = React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true });
    const where = document.getElementById("graphiql");
    // the React these assets bring may predate createRoot
    ReactDOM.createRoot ? ReactDOM.createRoot(where).render(ide) : ReactDOM.render(ide, where);
  </script>
</body>
</html>
"""


# The pages may load nothing from elsewhere: a link a library embeds (ReDoc's footer logo) is not
# even requested.
LOCAL_ONLY = (
    "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'"
)


def local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = LOCAL_ONLY
    return page


def graphiql_page() -> HTMLResponse:
    return local_only(HTMLResponse(GRAPHIQL_PAGE))


def add_offline_docs(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc (create the app with docs_url=None, redoc_url=None),
    and the assets GraphiQL's page (`graphiql_page`) loads."""
    app.mount("/assets/graphiql", StaticFiles(directory=GRAPHIQL_ASSETS), name="graphiql-assets")
    app.mount("/assets/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.mount("/assets/plotly", StaticFiles(directory=PLOTLY_ASSETS), name="plotly-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return local_only(
            get_swagger_ui_html(
                openapi_url=app.openapi_url or "/openapi.json",
                title=f"{app.title}: REST",
                swagger_js_url="/assets/docs/swagger-ui-bundle.js",
                swagger_css_url="/assets/docs/swagger-ui.css",
                swagger_favicon_url="/assets/docs/favicon.png",
            )
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return local_only(
            get_redoc_html(
                openapi_url=app.openapi_url or "/openapi.json",
                title=f"{app.title}: REST",
                redoc_js_url="/assets/docs/redoc.standalone.js",
                redoc_favicon_url="/assets/docs/favicon.png",
                with_google_fonts=False,
            )
        )
