"""Loading the member communes from the reference file shipped with the app."""

import csv
from pathlib import Path

COMMUNES_CSV = Path(__file__).parent / "data" / "mgp-communes.csv"
FIELDS = ("name", "departement", "territory", "siren", "postal_codes", "population")


def read_communes(path=COMMUNES_CSV):
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield (
                row["insee_code"],
                {
                    "name": row["name"],
                    "departement": row["departement"],
                    "territory": row["territory"],
                    "siren": row["siren"],
                    "postal_codes": row["postal_codes"],
                    "population": int(row["population"]),
                },
            )


def load_communes(commune_model, path=COMMUNES_CSV):
    """Create or update every commune of the file; return (created, updated). Idempotent:
    a second run changes nothing. Works with the historical model of a migration too."""
    existing = {c.insee_code: c for c in commune_model.objects.all()}
    created, updated = [], []
    for code, values in read_communes(path):
        commune = existing.get(code)
        if commune is None:
            created.append(commune_model(insee_code=code, **values))
        elif any(getattr(commune, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(commune, k, v)
            updated.append(commune)
    commune_model.objects.bulk_create(created)
    if updated:
        commune_model.objects.bulk_update(updated, FIELDS)
    return len(created), len(updated)
