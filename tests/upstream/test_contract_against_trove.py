"""`trovemock contract` (the user-facing contract suite) against real Trove 26.0.0, served
on loopback by the harness with a guest-agent simulator: it passes."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server

from tests.upstream.sides import I1, UpstreamSide
from trovemock.contract.cli import main


def test_the_contract_suite_passes_against_real_trove(capsys) -> None:
    side = UpstreamSide()
    side.start_case()
    stop = side.rt.start_guest_simulator(new_seconds=0.2, building_seconds=0.3, interval=0.1)
    server = make_server("127.0.0.1", 0, side.app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.port}/v1.0/p1"
        code = main(["--url", url, "--token", "t1", "--instance", I1, "--dialect",
                     "openstack", "--timeout", "30"])
    finally:
        server.shutdown()
        stop.set()
        side.start_case()
    out = capsys.readouterr().out
    assert code == 0, out
    assert "FAILED" not in out and "PASSED:" in out
