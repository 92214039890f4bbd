"""python -m dcalc"""

from .app import main

raise SystemExit(main())
