"""Mininet's examples: ``python3 -m mininet.examples.NAME`` finds them in an installed
Mininet (Debian's ``mininet`` package) and runs them with this package."""

import os

for _d in ('/usr/lib/python3/dist-packages/mininet/examples', '/usr/local/lib/python3/dist-packages/mininet/examples'):
    if os.path.isdir(_d) and _d not in __path__:
        __path__.append(_d)
