"""What the data plane refuses, and how it says so: an engine that is not installed (a clear
reason at start, the instance ERROR with it as its fault, no fallback), its server limit,
state export and import of a cloud whose data a state file cannot hold, a bad loopback pool."""

from __future__ import annotations

import pytest
from dataplane_support import HEADERS, make_plane, require, worker_network
from werkzeug.test import Client

from trovemock import TroveMock
from trovemock.dataplane.addresses import check_network
from trovemock.dataplane.engines.mariadb import MariaDB
from trovemock.dataplane.servers import ServersPlane, Settings


def create(client: Client, datastore=("mysql", "5.7")) -> str:
    body = {"instance": {"name": "a", "flavorRef": "1", "volume": {"size": 1},
                         "datastore": {"type": datastore[0], "version": datastore[1]}}}
    response = client.post("/v1.0/p1/instances", json=body, headers=HEADERS)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["instance"]["id"]


def test_a_missing_engine_ends_the_instance_in_error_with_the_reason() -> None:
    absent = MariaDB(bin_dirs=())
    absent._paths["mariadb-backup"] = None  # as on a machine without the package
    plane = ServersPlane(Settings(network=worker_network()), engines={"mariadb": absent})
    with TroveMock(dataplane=plane) as mock:
        assert "mariadb-backup not found" in mock.dataplane_status()["engines"]["mariadb"][
            "reason"]
        instance_id = create(Client(mock))
        mock.clock.advance(mock.config.instance_build_seconds)
        assert mock.instance_status(instance_id) == "ERROR"
        fault = mock.instance(instance_id).fault
        assert fault is not None and "apt-get install mariadb-server-core" in fault[0]
        assert mock.dataplane_status()["servers"] == {}  # nothing started, no fallback


def test_past_the_server_limit_an_instance_ends_in_error(tmp_path) -> None:
    require("mariadb")
    with TroveMock(dataplane=make_plane(tmp_path, max_servers=1)) as mock:
        client = Client(mock)
        first, second = create(client), create(client)
        mock.clock.advance(mock.config.instance_build_seconds)
        assert mock.instance_status(first) == "ACTIVE"
        assert mock.instance_status(second) == "ERROR"
        assert "its limit (max_servers)" in mock.instance(second).fault[0]


def test_a_state_with_a_data_plane_reads_but_is_never_imported(tmp_path) -> None:
    require("mariadb")
    with TroveMock(dataplane=make_plane(tmp_path)) as mock:
        instance = mock.add_instance("p1", databases=["shop"])
        state = Client(mock).get("/_trovemock/state").json  # what the dashboard reads
        server = state["dataplane"]["servers"][instance.id]
        assert server["state"] == "running" and server["address"].startswith("127.77.")
        plain = TroveMock()
        with pytest.raises(ValueError, match="comes from a cloud with a data plane"):
            plain.import_state(state)
        assert plain.instances() == []  # nothing half-loaded
        with pytest.raises(ValueError, match="into a cloud with a data plane"):
            mock.import_state(TroveMock().export_state())
        assert [i.id for i in mock.instances()] == [instance.id]


@pytest.mark.parametrize("network", ["10.0.0.0/8", "127.0.0.0/24", "not-a-network"])
def test_the_pool_must_be_loopback_beside_127_0_0_1(network: str) -> None:
    with pytest.raises(ValueError):
        check_network(network)
