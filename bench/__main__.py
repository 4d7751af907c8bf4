"""Run the benchmarks: ``python -m bench [catalog|workorders|pdf|pages] [--database-url URL]``."""

import argparse

from sqlalchemy.engine import make_url

from bench import catalog, pages, pdf, workorders
from cube.config import normalise_database_url

parser = argparse.ArgumentParser(description="CUBE-PRO benchmarks (PostgreSQL)")
parser.add_argument("which", nargs="*", help="catalog, workorders, pdf and/or pages (default: catalog and workorders)")
parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
parser.add_argument("--products", type=int, default=100_000)
parser.add_argument("--movements", type=int, default=1_000_000)
parser.add_argument("--work-orders", type=int, default=1_000_000)
parser.add_argument("--profile", metavar="PATH", help="pages: print a pyinstrument profile of this page")
args = parser.parse_args()
server = make_url(normalise_database_url(args.database_url))
which = args.which or ["catalog", "workorders"]
if set(which) - {"catalog", "workorders", "pdf", "pages"}:
    parser.error("choose from: catalog, workorders, pdf, pages")
if "catalog" in which:
    catalog.run(server, args.products, args.movements)
if "workorders" in which:
    workorders.run(server, args.work_orders)
if "pdf" in which:
    pdf.run()  # SQLite in a temporary folder: the PDF layout is what is measured
if "pages" in which:
    pages.run(server, 10_000, args.profile)  # the demo data and 10,000 work orders
