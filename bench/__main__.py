"""Run every benchmark: ``python -m bench [--database-url URL]``."""

from bench.catalog import main

if __name__ == "__main__":
    main()
