"""``python -m modelpick``: runs the command line (modelpick.cli.main)."""

import sys

from .cli import main

sys.exit(main())
