"""python -m dcalc"""

from .launch import main

raise SystemExit(main())
