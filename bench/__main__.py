"""Run the benchmarks: ``python -m bench [catalog|workorders|pdf|pages|throughput] [--database-url URL]``."""

import argparse
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import catalog, pages, pdf, throughput, workorders
from cube.config import normalise_database_url

CHOICES = {"catalog", "workorders", "pdf", "pages", "throughput"}

parser = argparse.ArgumentParser(description="CUBE-PRO benchmarks (PostgreSQL)")
parser.add_argument("which", nargs="*", help="which benchmarks (default: catalog and workorders)")
parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
parser.add_argument("--products", type=int, default=100_000)
parser.add_argument("--movements", type=int, default=1_000_000)
parser.add_argument("--work-orders", type=int, default=1_000_000)
parser.add_argument("--profile", metavar="PATH", help="pages: print a pyinstrument profile of this page")
parser.add_argument(
    "--sizes", type=int, nargs="+", default=[10_000, 1_000_000], help="throughput: work orders per PostgreSQL run"
)
parser.add_argument("--no-sqlite", action="store_true", help="throughput: skip the SQLite run")
parser.add_argument("--duration", type=int, default=10, help="throughput: seconds of load per page")
parser.add_argument("--only", nargs="+", default=[], help="throughput: pages whose label holds one of these words")
parser.add_argument("--markdown", type=Path, help="throughput: also write the tables to this file")
args = parser.parse_args()
server = make_url(normalise_database_url(args.database_url))
which = args.which or ["catalog", "workorders"]
if set(which) - CHOICES:
    parser.error("choose from: " + ", ".join(sorted(CHOICES)))
if "catalog" in which:
    catalog.run(server, args.products, args.movements)
if "workorders" in which:
    workorders.run(server, args.work_orders)
if "pdf" in which:
    pdf.run()  # SQLite in a temporary folder: the PDF layout is what is measured
if "pages" in which:
    pages.run(server, 10_000, args.profile)  # the demo data and 10,000 work orders
if "throughput" in which:
    throughput.run(
        server, args.sizes, sqlite=not args.no_sqlite, seconds=args.duration, markdown=args.markdown, only=args.only
    )
