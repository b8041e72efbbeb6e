import sys

from summarizer.cli.commands import main

sys.exit(main())
