"""``python -m webui``: see webui.cli."""
import sys

from .cli import main

sys.exit(main())
