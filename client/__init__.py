"""A small Python client for an `mmrare serve` service (GraphQL under the hood).

    from mmrare.client import MMRareClient
    api = MMRareClient("http://127.0.0.1:8000", api_key=None)
    items = api.subset(under=98006, track="diagnosis", prevalence="1-9 / 100 000")
    by_head = api.report(by="head", metric="tokenF1")

Rows come back as pandas DataFrames when pandas is installed (`as_frame=False` gives lists of dicts).
"""

from mmrare.client.api import MMRareClient, MMRareError

__all__ = ["MMRareClient", "MMRareError"]
