"""What the simulated ``getMarketplaceParticipations`` answers for a seller's marketplaces.

One ``payload[]`` entry per marketplace the registry's seller sells in, in the shape of
Amazon's model (spapi-authorization.md §8 [model sellers.json]).
"""

from __future__ import annotations

from oauth_wizard.core import marketplaces

# What getMarketplaceParticipations reports per marketplace. Shape and the US row: model
# sellers.json example (spapi-authorization.md §8 [model]). Currency and domain of the others:
# bizon/amazon-ids src/marketplaces.json [community]. Language codes follow the model's en_US
# form; for the non-US rows they are the simulator's guess [uncertain].
MARKET_FACTS: dict[str, tuple[str, str, str]] = {
    "US": ("USD", "en_US", "amazon.com"), "CA": ("CAD", "en_CA", "amazon.ca"),
    "MX": ("MXN", "es_MX", "amazon.com.mx"), "BR": ("BRL", "pt_BR", "amazon.com.br"),
    "IE": ("EUR", "en_IE", "amazon.ie"), "ES": ("EUR", "es_ES", "amazon.es"),
    "UK": ("GBP", "en_GB", "amazon.co.uk"), "FR": ("EUR", "fr_FR", "amazon.fr"),
    "BE": ("EUR", "fr_BE", "amazon.com.be"), "NL": ("EUR", "nl_NL", "amazon.nl"),
    "DE": ("EUR", "de_DE", "amazon.de"), "IT": ("EUR", "it_IT", "amazon.it"),
    "SE": ("SEK", "sv_SE", "amazon.se"), "ZA": ("ZAR", "en_ZA", "amazon.co.za"),
    "PL": ("PLN", "pl_PL", "amazon.pl"), "EG": ("EGP", "ar_EG", "amazon.eg"),
    "TR": ("TRY", "tr_TR", "amazon.com.tr"), "SA": ("SAR", "ar_SA", "amazon.sa"),
    "AE": ("AED", "en_AE", "amazon.ae"), "IN": ("INR", "en_IN", "amazon.in"),
    "SG": ("SGD", "en_SG", "amazon.sg"), "AU": ("AUD", "en_AU", "amazon.com.au"),
    "JP": ("JPY", "ja_JP", "amazon.co.jp"),
}


def participation(code: str, store_name: str) -> dict:
    """One ``payload[]`` entry of getMarketplaceParticipations (§8 [model sellers.json])."""
    m = marketplaces.lookup(code)
    currency, language, domain = MARKET_FACTS[m.code]
    return {
        "marketplace": {
            "id": m.marketplace_id, "name": "Amazon." + domain.removeprefix("amazon."),
            # ISO 3166-1 alpha-2 per the model, so the UK marketplace reports GB.
            "countryCode": "GB" if m.code == "UK" else m.code,
            "defaultCurrencyCode": currency, "defaultLanguageCode": language,
            "domainName": "www." + domain,
        },
        "storeName": store_name,
        "participation": {"isParticipating": True, "hasSuspendedListings": False},
    }
