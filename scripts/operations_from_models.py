"""Build ``oauth_wizard/data/operations.json`` from Amazon's SP-API models.

The doctor tells apart the causes behind one ``403 Unauthorized`` by what the failing operation
is: grantless (needs a ``client_credentials`` token and which scope), restricted (needs a
Restricted Data Token), for sellers or for vendors, and offered in which marketplaces. Those facts
come from the OpenAPI models in amzn/selling-partner-api-models; the list of restricted operations
is not in the models, so it is copied from Amazon's Tokens API use case guide (below, with the
models' own RDT examples). The output names the models' commit, so a reader knows how old it is.

Run (a checkout or bare mirror of the models repository)::

    python scripts/operations_from_models.py /path/to/selling-partner-api-models [--rev HEAD]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "oauth_wizard" / "data" / "operations.json"

# Grantless scopes by model directory (Amazon's grantless-operations page); in the notifications
# model only the operations whose description says "is grantless" are.
GRANTLESS_SCOPE = {
    "notifications-api-model": "sellingpartnerapi::notifications",
    "application-management-api-model": "sellingpartnerapi::client_credential:rotation",
    "authorization-api-model": "sellingpartnerapi::migration",
}
GRANTLESS_EVERY_OPERATION = {"application-management-api-model", "authorization-api-model"}

# Restricted operations, by model directory, from the Tokens API use case guide ("List of
# restricted operations"); the tokens model's RestrictedResource examples name the Orders and
# Merchant Fulfillment ones too.
RESTRICTED = {
    "vendor-direct-fulfillment-orders-api-model": {"getOrders", "getOrder"},
    "vendor-direct-fulfillment-shipping-api-model": {
        "getShippingLabel", "getShippingLabels", "getPackingSlip", "getPackingSlips",
        "getCustomerInvoice", "getCustomerInvoices", "createShippingLabels"},
    "easy-ship-model": {"createScheduledPackageBulk"},
    "merchant-fulfillment-api-model": {"getShipment", "cancelShipment", "cancelShipmentOld",
                                       "createShipment"},
    "orders-api-model": {"getOrders", "getOrder", "getOrderItems", "getOrderRegulatedInfo",
                         "getOrderAddress", "getOrderBuyerInfo", "getOrderItemsBuyerInfo"},
    "reports-api-model": {"getReportDocument"},
    "shipment-invoicing-api-model": {"getShipmentDetails"},
}
# Restricted only when personal data is asked for: the tokens model says dataElements (buyerInfo,
# shippingAddress) matter only for these; without an RDT they answer, minus the PII.
PII_ONLY = {"orders-api-model": {"getOrders", "getOrder", "getOrderItems"}}
RESTRICTED_SOURCE = ("Tokens API use case guide, 'List of restricted operations' "
                     "(developer-docs.amazon.com/sp-api/docs/tokens-api-use-case-guide)")

# Models whose operations serve seller accounts only; vendor-* models serve vendors only; the
# rest (notifications, tokens, reports, feeds, uploads, catalog, ...) serve both.
SELLER_ONLY = {
    "orders-api-model", "fba-inbound-eligibility-api-model", "fba-inventory-api-model",
    "fba-small-and-light-api-model", "fulfillment-inbound-api-model",
    "fulfillment-outbound-api-model", "merchant-fulfillment-api-model",
    "listings-items-api-model", "listings-restrictions-api-model", "product-fees-api-model",
    "product-pricing-api-model", "finances-api-model", "sellers-api-model",
    "easy-ship-model", "messaging-api-model", "solicitations-api-model",
    "shipment-invoicing-api-model", "replenishment-api-model", "seller-wallet-api-model",
    "amazon-warehousing-and-distribution-model", "supply-sources-api-model",
    "customer-feedback-api-model",
}

CODES = r"(?:[A-Z]{2}(?:,\s*|\s*,?\s*and\s+|\s+))*[A-Z]{2}"
OP_MARKETS = re.compile(r"Only available in the following \[marketplaces\]\([^)]*\):\s*"
                        rf"({CODES})")
MODEL_MARKETS = re.compile(rf"supports the following marketplaces:\s*({CODES})")
NAMED_MARKET = {"in the Brazil marketplace": "BR"}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True,  # noqa: S603,S607
                          capture_output=True, text=True).stdout


def _codes(text: str) -> list[str]:
    return re.findall(r"[A-Z]{2}", text)


def _model_markets(description: str) -> list[str] | None:
    found = MODEL_MARKETS.search(description)
    if found:
        return _codes(found.group(1))
    for words, code in NAMED_MARKET.items():
        if words in description:
            return [code]
    return None


def build(repo: Path, rev: str) -> dict:
    commit = _git(repo, "rev-parse", rev).strip()
    date = _git(repo, "show", "-s", "--format=%cs", commit).strip()
    files = [f for f in _git(repo, "ls-tree", "-r", "--name-only", commit, "models").split()
             if f.endswith(".json")]
    operations: dict[str, list[dict]] = {}
    for name in sorted(files):
        model_dir = name.split("/")[1]
        spec = json.loads(_git(repo, "show", f"{commit}:{name}"))
        info = spec.get("info", {})
        model_markets = _model_markets(info.get("description", ""))
        for path, methods in spec.get("paths", {}).items():
            for method, op in methods.items():
                if not isinstance(op, dict) or "operationId" not in op:
                    continue
                oid = op["operationId"]
                text = op.get("description", "")
                scope = None
                if model_dir in GRANTLESS_SCOPE and (
                        model_dir in GRANTLESS_EVERY_OPERATION or "is grantless" in text):
                    scope = GRANTLESS_SCOPE[model_dir]
                found = OP_MARKETS.search(text)
                markets = _codes(found.group(1)) if found else model_markets
                account = ("vendor" if model_dir.startswith("vendor-")
                           else "seller" if model_dir in SELLER_ONLY else "any")
                entry = {"api": model_dir, "model": name.split("/", 1)[1],
                         "version": info.get("version", ""), "method": method.upper(),
                         "path": path, "account": account, "grantless_scope": scope,
                         "restricted": ("pii-only" if oid in PII_ONLY.get(model_dir, ())
                                        else oid in RESTRICTED.get(model_dir, ())),
                         "marketplaces": markets}
                operations.setdefault(oid, []).append(entry)
    return {"source": f"amzn/selling-partner-api-models@{commit[:12]} ({date})",
            "restricted_source": RESTRICTED_SOURCE,
            "operations": dict(sorted(operations.items()))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, help="a clone or mirror of the models repository")
    parser.add_argument("--rev", default="HEAD")
    args = parser.parse_args()
    data = build(args.models, args.rev)
    OUT.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", "utf-8")
    count = sum(len(v) for v in data["operations"].values())
    print(f"wrote {OUT}: {len(data['operations'])} operation ids, {count} operations, "
          f"from {data['source']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
