"""Room mode's choice of the address phones use (app/ops/lan.py)."""
from app.ops.lan import Interface, choose, parse_ifconfig_output, parse_ip_output

IP_OUTPUT = """\
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
3: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\\       valid_lft forever
4: wlp2s0    inet 192.168.1.23/24 brd 192.168.1.255 scope global dynamic wlp2s0\\       valid_lft 86000sec
7: veth1@if6    inet 10.213.4.1/30 scope global veth1\\       valid_lft forever preferred_lft forever
"""

IFCONFIG_OUTPUT = """\
lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384
\tinet 127.0.0.1 netmask 0xff000000
en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
\tether 3c:22:fb:00:00:00
\tinet 10.0.0.42 netmask 0xffffff00 broadcast 10.0.0.255
utun3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380
\tinet 100.100.1.2 --> 100.100.1.2 netmask 0xffffffff
"""


def test_ip_output_is_read():
    assert parse_ip_output(IP_OUTPUT) == [Interface("lo", "127.0.0.1"), Interface("docker0", "172.17.0.1"),
                                          Interface("wlp2s0", "192.168.1.23"), Interface("veth1", "10.213.4.1")]


def test_the_wifi_address_wins_over_loopback_bridges_and_tunnels():
    assert choose(parse_ip_output(IP_OUTPUT)) == "192.168.1.23"
    assert choose(parse_ifconfig_output(IFCONFIG_OUTPUT)) == "10.0.0.42"


def test_an_interface_can_be_named():
    assert choose(parse_ip_output(IP_OUTPUT), "veth1") == "10.213.4.1"
    assert choose(parse_ip_output(IP_OUTPUT), "wlan9") is None


def test_no_usable_address():
    assert choose([Interface("lo", "127.0.0.1"), Interface("eth0", "169.254.3.4")]) is None
    assert choose([]) is None
