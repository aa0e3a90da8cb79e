"""Starts Django for the benchmarks, once, before any of the portal's models is imported.

Every bench module imports this one first. The portal's settings come from ``bench.settings``
with a temporary folder (``QMI_BENCH_DIR``) for the database and the files, removed on exit.
A script that must not use a database server pops ``DATABASE_URL`` before importing it.
"""

import atexit
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import django

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

BENCH_DIR = Path(tempfile.mkdtemp(prefix="qmi-bench-"))
atexit.register(shutil.rmtree, BENCH_DIR, ignore_errors=True)

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["QMI_BENCH_DIR"] = str(BENCH_DIR)
# Without collected static files WhiteNoise warns that STATIC_ROOT is missing: irrelevant.
warnings.filterwarnings("ignore", message="No directory at")

django.setup()
