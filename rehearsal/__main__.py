import sys

from rehearsal import run

sys.exit(run.main())
