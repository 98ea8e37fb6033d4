"""Room mode: the address phones on the same Wi-Fi use to reach this laptop.

`python -m app.ops.lan` prints the best IPv4 address of this machine on the local network (used by
`make room`; README "Running a class from a laptop"). It reads the interfaces' addresses (`ip`, or
`ifconfig` on macOS); it sends nothing. `LECTERN_ROOM_INTERFACE=wlan0` picks an interface by name.
"""
from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

# virtual bridges and tunnels that phones cannot reach
VIRTUAL = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap", "utun", "lo", "zt", "tailscale", "wg")
PHYSICAL = ("wl", "en", "eth")  # Wi-Fi (wlan0, wlp2s0), Ethernet (enp3s0, eth0), macOS en0


@dataclass(frozen=True)
class Interface:
    name: str
    address: str


def parse_ip_output(text: str) -> list[Interface]:
    """Lines of `ip -4 -o addr show`: '2: wlan0    inet 192.168.1.23/24 brd … scope global wlan0'."""
    found = []
    for line in text.splitlines():
        match = re.match(r"\s*\d+:\s+(\S+)\s+inet\s+([\d.]+)/\d+", line)
        if match:
            found.append(Interface(match.group(1).split("@")[0], match.group(2)))
    return found


def parse_ifconfig_output(text: str) -> list[Interface]:
    """`ifconfig` (macOS and BSD): an 'en0: flags=…' header, then '\tinet 192.168.1.23 netmask …'."""
    found, current = [], ""
    for line in text.splitlines():
        header = re.match(r"^(\S+?):? flags=", line)
        if header:
            current = header.group(1)
            continue
        match = re.match(r"\s+inet (?:addr:)?([\d.]+)", line)
        if match and current:
            found.append(Interface(current, match.group(1)))
    return found


def choose(interfaces: list[Interface], prefer: str = "") -> str | None:
    """The address phones can reach: the named interface if given, else a private address on a
    physical interface (Wi-Fi or Ethernet) before any other; never loopback or link-local."""
    def usable(iface: Interface) -> bool:
        try:
            ip = ipaddress.IPv4Address(iface.address)
        except ValueError:
            return False
        return not (ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified)

    candidates = [i for i in interfaces if usable(i)]
    if prefer:
        named = [i for i in candidates if i.name == prefer]
        return named[0].address if named else None

    def rank(iface: Interface) -> tuple[int, int]:
        virtual = iface.name.startswith(VIRTUAL)
        physical = iface.name.startswith(PHYSICAL)
        private = ipaddress.IPv4Address(iface.address).is_private
        return (2 if virtual else 0 if physical else 1, 0 if private else 1)

    candidates.sort(key=rank)
    return candidates[0].address if candidates else None


def interfaces() -> list[Interface]:
    if shutil.which("ip"):
        out = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True, check=False).stdout  # noqa: S607 - `ip` is looked up on PATH on purpose (shutil.which above)
        if out.strip():
            return parse_ip_output(out)
    if shutil.which("ifconfig"):
        out = subprocess.run(["ifconfig"], capture_output=True, text=True, check=False).stdout  # noqa: S607 - as above, for `ifconfig`
        return parse_ifconfig_output(out)
    return []


def main() -> int:
    prefer = os.environ.get("LECTERN_ROOM_INTERFACE", "").strip()
    address = choose(interfaces(), prefer)
    if address is None:
        where = f"on interface {prefer}" if prefer else "on any network interface"
        print(f"No local network address found {where}: connect to the room's Wi-Fi first, "
              "or set LECTERN_BASE_URL to the address phones should use.", file=sys.stderr)
        return 1
    print(address)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
