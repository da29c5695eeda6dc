"""An L2 learning switch for os-ken, OpenFlow 1.3 only.

The integration tests point Swiftnet's userspace OpenFlow switch at this
app to check that the switch talks to a real controller:

* on switch features it installs a table-miss flow (priority 0) that sends
  whole packets to the controller (OFPCML_NO_BUFFER);
* on packet-in it learns eth_src -> in_port for that datapath; when eth_dst
  is known it installs a priority 1 flow (in_port, eth_src, eth_dst ->
  output port) and sends the packet there, otherwise it floods it.

Every PACKET_OUT carries the packet itself, as no switch buffer is used.

Lines meant for tests go to standard output, flushed at once:

    swiftnet-l2: switch <dpid> connected
    swiftnet-l2: switch <dpid> disconnected

<dpid> is the datapath id as 16 lower-case hex digits.

SWIFTNET_L2_IDLE_TIMEOUT (seconds, default 0 = never) sets the idle timeout
of the learned flows.

Run it with:

    osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port 6653 \
        Tests/IntegrationTests/Controllers/l2_learning.py
"""

import os
import sys

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER
from os_ken.controller.handler import DEAD_DISPATCHER
from os_ken.controller.handler import MAIN_DISPATCHER
from os_ken.controller.handler import set_ev_cls
from os_ken.lib.packet import ethernet
from os_ken.lib.packet import ether_types
from os_ken.lib.packet import packet
from os_ken.ofproto import ofproto_v1_3

TABLE_MISS_PRIORITY = 0
LEARNED_PRIORITY = 1


def _idle_timeout():
    raw = os.environ.get("SWIFTNET_L2_IDLE_TIMEOUT", "0")
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= 0xFFFF:
        raise ValueError("SWIFTNET_L2_IDLE_TIMEOUT must be 0..65535, got %r" % raw)
    return value


def _announce(text):
    sys.stdout.write("swiftnet-l2: %s\n" % text)
    sys.stdout.flush()


def _dpid(dpid):
    return "%016x" % dpid


class SwiftnetL2Learning(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.idle_timeout = _idle_timeout()
        # dpid -> {mac: port}
        self.ports_by_mac = {}

    def _add_flow(self, datapath, priority, match, actions, idle_timeout=0):
        ofp = datapath.ofproto
        parser = datapath.ofproto_parser
        instructions = [
            parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)
        ]
        datapath.send_msg(
            parser.OFPFlowMod(
                datapath=datapath,
                priority=priority,
                match=match,
                instructions=instructions,
                idle_timeout=idle_timeout,
                buffer_id=ofp.OFP_NO_BUFFER,
            )
        )

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def on_switch_features(self, ev):
        datapath = ev.msg.datapath
        ofp = datapath.ofproto
        parser = datapath.ofproto_parser

        self.ports_by_mac[datapath.id] = {}
        to_controller = [
            parser.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)
        ]
        self._add_flow(datapath, TABLE_MISS_PRIORITY, parser.OFPMatch(), to_controller)
        _announce("switch %s connected" % _dpid(datapath.id))

    @set_ev_cls(ofp_event.EventOFPStateChange, DEAD_DISPATCHER)
    def on_switch_gone(self, ev):
        dpid = ev.datapath.id
        if dpid is None:
            return  # it went away before its features reply
        self.ports_by_mac.pop(dpid, None)
        _announce("switch %s disconnected" % _dpid(dpid))

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def on_packet_in(self, ev):
        msg = ev.msg
        datapath = msg.datapath
        ofp = datapath.ofproto
        parser = datapath.ofproto_parser
        in_port = msg.match["in_port"]

        eth = packet.Packet(msg.data).get_protocol(ethernet.ethernet)
        if eth is None or eth.ethertype == ether_types.ETH_TYPE_LLDP:
            return

        table = self.ports_by_mac.setdefault(datapath.id, {})
        table[eth.src] = in_port
        out_port = table.get(eth.dst, ofp.OFPP_FLOOD)
        if out_port == in_port:
            return  # both ends sit behind one port: the switch must drop it
        actions = [parser.OFPActionOutput(out_port)]

        if out_port != ofp.OFPP_FLOOD:
            match = parser.OFPMatch(in_port=in_port, eth_src=eth.src, eth_dst=eth.dst)
            self._add_flow(datapath, LEARNED_PRIORITY, match, actions, self.idle_timeout)
            self.logger.info(
                "swiftnet-l2: %s learned %s -> %s: port %s -> %s",
                _dpid(datapath.id), eth.src, eth.dst, in_port, out_port,
            )

        if msg.buffer_id == ofp.OFP_NO_BUFFER:
            data = msg.data
        else:
            data = None  # a switch that buffered anyway releases it by id
        datapath.send_msg(
            parser.OFPPacketOut(
                datapath=datapath,
                buffer_id=msg.buffer_id,
                in_port=in_port,
                actions=actions,
                data=data,
            )
        )
