import sys

from goaltui.cli import main

sys.exit(main())
