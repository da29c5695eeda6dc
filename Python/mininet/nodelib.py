"""Mininet's node library: ``LinuxBridge`` (a Linux bridge switch) and ``NAT``.

NAT would join the emulated network to the machine's own, which swiftnet never does."""

from mininet._errors import Unsupported
from mininet.node import LinuxBridge, Node  # noqa: F401 (Mininet scripts import LinuxBridge from here)


class NAT(Node):
    def __init__(self, name, *args, **kwargs):
        raise Unsupported('NAT (mininet.nodelib.NAT)',
                          "emulated hosts never reach the machine's own network; put what they need inside the topology")
