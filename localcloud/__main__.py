import sys

from localcloud import cli

sys.exit(cli.main())
