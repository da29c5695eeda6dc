"""Mininet's Python API, run by swiftnet's engine.

Scripts written for Mininet 2.3 (``from mininet.net import Mininet`` ...) run unchanged:
``sudo swiftnet python script.py``, or ``PYTHONPATH=$(swiftnet python-path) python3
script.py``. The network itself is built and owned by swiftnet (one ``swiftnet engine``
process per ``Mininet`` object): namespaces, links and processes go with it however the
script ends, SIGKILL included. This package holds no kernel state of its own.

Standard library only.
"""

from mininet._errors import install_excepthook as _install

_install()
