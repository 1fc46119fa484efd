"""Loopback addresses for servers: each instance gets its own address from a pool at the
engine's standard port (clients, OpenStack's tests among them, connect to the address the
API shows on the standard port). Port mode "dynamic" is for hosts without extra loopback
addresses (macOS): 127.0.0.1 and a free port."""

from __future__ import annotations

import ipaddress
import random
import socket
import threading

DEFAULT_NETWORK = "127.77.0.0/16"
PORT_MODES = ("standard", "dynamic")


class AddressInUse(Exception):
    pass


def check_network(value: str) -> ipaddress.IPv4Network:
    """A loopback IPv4 network that leaves out 127.0.0.1; ValueError otherwise."""
    network = ipaddress.IPv4Network(value, strict=False)
    if not network.subnet_of(ipaddress.IPv4Network("127.0.0.0/8")):
        raise ValueError(f"{value} is not a loopback network (it must lie in 127.0.0.0/8)")
    if ipaddress.IPv4Address("127.0.0.1") in network:
        raise ValueError(f"{value} holds 127.0.0.1; choose a pool beside it, such as "
                         f"{DEFAULT_NETWORK}")
    return network


class AddressPool:
    def __init__(self, network: str = DEFAULT_NETWORK, port_mode: str = "standard") -> None:
        if port_mode not in PORT_MODES:
            raise ValueError(f"port mode must be one of {PORT_MODES}, not {port_mode!r}")
        self.network = check_network(network)
        self.port_mode = port_mode
        self._taken: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        # Emulators sharing a machine (parallel test workers) start at different places in
        # the pool, so two of them rarely probe the same free address at once.
        self._offset = random.randrange(max(1, self.network.num_addresses - 2))

    def allocate(self, port: int) -> tuple[str, int]:
        """A free (address, port): probed with a bind, so a server elsewhere on the machine
        listening on the same port (even on 0.0.0.0) is found before the engine fails."""
        with self._lock:
            if self.port_mode == "dynamic":
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", 0))
                    found = ("127.0.0.1", probe.getsockname()[1])
                self._taken.add(found)
                return found
            last_error = None
            count = max(1, self.network.num_addresses - 2)  # leave out network, broadcast
            for step in range(count):
                host = self.network[1 + (self._offset + step) % count]
                key = (str(host), port)
                if key in self._taken:
                    continue
                error = _bind_error(str(host), port)
                if error is None:
                    self._taken.add(key)
                    return key
                last_error = error
                if _wildcard_holds(port):
                    raise AddressInUse(
                        f"port {port} is taken on every address (a server listens on "
                        f"0.0.0.0:{port}); stop it or use the dynamic port mode")
            raise AddressInUse(f"no free address in {self.network} for port {port}: "
                               f"{last_error}")

    def release(self, address: tuple[str, int]) -> None:
        with self._lock:
            self._taken.discard(address)


def _bind_error(host: str, port: int) -> OSError | None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error
    return None


def _wildcard_holds(port: int) -> bool:
    """Whether a listener on 0.0.0.0 holds the port: then no loopback address binds it,
    one far outside any pool included."""
    return _bind_error("127.255.255.254", port) is not None
