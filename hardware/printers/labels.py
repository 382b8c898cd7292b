"""The receipt's fixed words in each language the invoice format offers.

A utility may override any of them in its invoice format (``labels`` table).
Amount lines come from the caller already worded; only the frame is translated here.
"""
from __future__ import annotations

from collections.abc import Mapping

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title_sale": "SALE RECEIPT",
        "title_reversal": "SALE REVERSAL",
        "title_amendment": "AMENDMENT FEE",
        "title_z_report": "SHIFT CLOSE (Z REPORT)",
        "title_report": "REPORT",
        "title_test_page": "PRINTER TEST PAGE",
        "copy": "*** COPY ***",
        "receipt_no": "Receipt no",
        "issued_at": "Date",
        "terminal": "Terminal",
        "operator": "Operator",
        "customer": "Customer",
        "meter": "Meter",
        "power_type": "Power type",
        "tariff_version": "Tariff version",
        "payment": "Payment",
        "tendered": "Tendered",
        "energy": "Energy",
        "token": "STS TOKEN",
        "token_hint": "Key this token into your meter",
        "qr": "Scan to verify this receipt",
        "z_net_takings": "Net takings",
        "z_end": "End of Z report. Count the cash against net takings.",
    },
    "fr": {
        "title_sale": "REÇU DE VENTE",
        "title_reversal": "ANNULATION DE VENTE",
        "title_amendment": "FRAIS DE MODIFICATION",
        "title_z_report": "CLÔTURE DE CAISSE (Z)",
        "title_report": "RAPPORT",
        "title_test_page": "PAGE DE TEST",
        "copy": "*** DUPLICATA ***",
        "receipt_no": "Reçu n°",
        "issued_at": "Date",
        "terminal": "Terminal",
        "operator": "Opérateur",
        "customer": "Client",
        "meter": "Compteur",
        "power_type": "Catégorie",
        "tariff_version": "Version du tarif",
        "payment": "Paiement",
        "tendered": "Montant versé",
        "energy": "Énergie",
        "token": "CODE STS",
        "token_hint": "Saisissez ce code sur votre compteur",
        "qr": "Scannez pour vérifier ce reçu",
        "z_net_takings": "Recette nette",
        "z_end": "Fin du rapport Z. Comptez la caisse contre la recette nette.",
    },
    "sw": {
        "title_sale": "RISITI YA MAUZO",
        "title_reversal": "KUBATILISHA MAUZO",
        "title_amendment": "ADA YA MAREKEBISHO",
        "title_z_report": "KUFUNGA ZAMU (RIPOTI Z)",
        "title_report": "RIPOTI",
        "title_test_page": "UKURASA WA MAJARIBIO",
        "copy": "*** NAKALA ***",
        "receipt_no": "Nambari ya risiti",
        "issued_at": "Tarehe",
        "terminal": "Kituo",
        "operator": "Mhudumu",
        "customer": "Mteja",
        "meter": "Mita",
        "power_type": "Aina ya umeme",
        "tariff_version": "Toleo la bei",
        "payment": "Malipo",
        "tendered": "Kiasi kilicholipwa",
        "energy": "Nishati",
        "token": "TOKENI YA STS",
        "token_hint": "Ingiza tokeni hii kwenye mita yako",
        "qr": "Skani ili kuthibitisha risiti",
        "z_net_takings": "Mapato halisi",
        "z_end": "Mwisho wa ripoti Z. Hesabu fedha dhidi ya mapato halisi.",
    },
}

LANGUAGES: tuple[str, ...] = tuple(LABELS)
LABEL_KEYS: frozenset[str] = frozenset(LABELS["en"])


def label_table(language: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The words for ``language`` with the utility's own overrides on top."""
    table = dict(LABELS[language])
    if overrides:
        table.update(overrides)
    return table


__all__ = ["LABELS", "LABEL_KEYS", "LANGUAGES", "label_table"]
