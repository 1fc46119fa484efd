"""Where trovemock deliberately differs from upstream Trove 26.0.0, each deviation once.

A cloud's `config.fidelity` is "documented" (the default: the API documents' contract, with
Trove's bugs fixed) or "upstream" (bug-for-bug Trove 26.0.0 at every deviation below). The
few places where the modes differ ask `upstream(config, NAME)`; the differential suite
(tests/upstream) checks that each listed deviation is exactly what separates the default
mode from real Trove, and the documentation's "Where trovemock deliberately differs" table
(docs/fidelity.md) is generated from this list (`python -m trovemock.fidelity`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

DOCUMENTED = "documented"
UPSTREAM = "upstream"
FIDELITIES = (DOCUMENTED, UPSTREAM)


@dataclass(frozen=True)
class Deviation:
    name: str
    upstream: str  # what Trove 26.0.0 answers
    documented: str  # what trovemock answers by default
    why: str


_ALL = (
    Deviation(
        "root_body_error",
        "a body without its top-level key (`backup`, `instance`, `backup_strategy`, or a known "
        "instance action), or an empty, array or scalar body, crashes Trove's validation "
        "formatter: 500 `instanceFault`",
        "400 `badRequest` \"Validation error: 'backup' is a required property\" (or what "
        "else the schema says)",
        "a 500 for bad input is a Trove bug, not a contract",
    ),
    Deviation(
        "webob_errors",
        "invalid JSON (400) and an unsupported Content-Type (415) are rendered by WebOb: "
        "`{\"code\": \"400 Bad Request\", \"title\": ..., \"message\": ...}` with `Accept: "
        "application/json`, text/plain without it",
        "the fault format `{\"badRequest\": {...}}` / `{\"badMediaType\": {...}}` always",
        "every error a client parses has one shape (the seeds' fault format)",
    ),
    Deviation(
        "json_without_content_type",
        "a body sent without a Content-Type is read as `{}`: 500 `instanceFault` (an XML "
        "Content-Type: 500 too)",
        "415 `badMediaType` naming the missing `Content-Type: application/json` header",
        "a client bug that production punishes must not pass here; 415 says how to fix it",
    ),
    Deviation(
        "wrong_method_404",
        "a known path with a method it does not route answers 404 `itemNotFound`; `/` and the "
        "datastore version paths answer any method as GET (a 500 when it carries a body); "
        "`GET .../databases/{name}` checks the instance (404), then answers 501",
        "405 `badMethod` with an `Allow` header",
        "the seeds document 405 for a wrong method",
    ),
    Deviation(
        "https_links",
        "`links` (next pages, instances, flavors, datastores) always say https, whatever the "
        "client used",
        "links keep the scheme and host the client used",
        "a client that follows links (gophercloud, the CLIs) must reach the emulator",
    ),
    Deviation(
        "full_page_link",
        "a page that is exactly full links to a next page, even when that page is empty",
        "a `next` link only when another item exists",
        "clients stop one request earlier; the documents say a link means more items",
    ),
    Deviation(
        "paging_values",
        "`limit=0` and `limit=-1` are taken as given (0 is the default page size, a negative "
        "limit lists everything and links on), a non-integer `limit` or `marker` is a 500",
        "400 `badRequest` naming the parameter: `limit` must be >= 1, `marker` >= 0, both "
        "integers",
        "a `next` link that loops forever or a 500 for a typo helps nobody",
    ),
    Deviation(
        "async_delete",
        "DELETE is asynchronous: a backup (or instance) stays shown, with its status "
        "(SHUTDOWN for an instance), until the taskmanager removes it; children are marked "
        "depth first and a running one crashes the request (a naive/aware datetime "
        "subtraction: 500 `instanceFault`), leaving the children before it deleted",
        "deleted at once, all or nothing: GET is 404 right after the 202; a running backup "
        "or descendant gives 422 \"Backup <id> cannot be deleted because it is running.\" "
        "and nothing is deleted",
        "tests need no polling, and a failed request changes nothing",
    ),
    Deviation(
        "open_version_document",
        "`GET /v1.0` (and `/v1.0/`) passes keystonemiddleware and the tenant check of the "
        "path's empty project: 401 without a token, 403 with any token",
        "200 `{\"version\": {...}}`, no token needed (openstack dialect)",
        "Rackspace documents it as open and discovery clients send no token; a document no "
        "token can read helps nobody",
    ),
    Deviation(
        "identity_in_discovery",
        "`GET /` lists only `v1.0` (keystone is another server)",
        "`v1.0` first, then the identity versions this server also serves (`v3.14`, `v2.0`) "
        "(openstack dialect)",
        "one server hosts both: keystoneauth given an auth URL without `/v3` discovers "
        "identity at `GET /`",
    ),
    Deviation(
        "root_not_found_message",
        "the root user calls on an instance the project does not have answer 404 "
        "\"DBCluster Not Found\" (Trove looks for a cluster next)",
        "404 `Resource <id> cannot be found.`, as every instance route",
        "the same status with a message that names the instance, not a cluster",
    ),
    Deviation(
        "root_password_body",
        "the root user's body is not checked: a `password` that is set but not a string "
        "crashes the guest call (500 `instanceFault`), a body that is not an object is read as "
        "no password (200, a generated one)",
        "400 `badRequest` \"Validation error: ...\" (an empty or null password is generated, "
        "as in Trove)",
        "a 500, or a silently ignored body, for bad input helps nobody",
    ),
    Deviation(
        "forbidden_as_401",
        "Trove's own Forbidden exception (a replica of a replica) is mapped to 401 "
        "`unauthorized`, and keystonemiddleware adds its `WWW-Authenticate` header",
        "403 `forbidden` with the same message",
        "the caller is authenticated; a 401 sends clients to log in again",
    ),
    Deviation(
        "replica_count_password",
        "the create response of several replicas (`replica_count` > 1) shows the last one "
        "with a `password` key holding one null per replica",
        "the last one, without the `password` key",
        "a list of nulls where a root password goes is noise",
    ),
    Deviation(
        "any_token",
        "a token keystone did not issue is 401 `unauthorized`",
        "a token nobody registered is accepted as a member of the URL's project (unless "
        "`strict_tokens` is set)",
        "tests and demos work without a login step",
    ),
)

DEVIATIONS: dict[str, Deviation] = {d.name: d for d in _ALL}


class _HasFidelity(Protocol):
    fidelity: str
    upstream_deviations: list[str]


def upstream(config: _HasFidelity, name: str) -> bool:
    """Whether `config` reproduces upstream Trove at deviation `name`: everywhere in
    upstream fidelity, or at the deviations named in `config.upstream_deviations`."""
    if name not in DEVIATIONS:  # pragma: no cover - a developer's slip
        raise KeyError(f"unknown deviation {name!r}")
    return config.fidelity == UPSTREAM or name in config.upstream_deviations


def markdown_table() -> str:
    """The documentation's table of deviations (docs/fidelity.md)."""
    lines = ["| deviation | upstream Trove 26.0.0 | trovemock (default) | why |",
             "|---|---|---|---|"]
    for d in _ALL:
        lines.append(f"| `{d.name}` | {d.upstream} | {d.documented} | {d.why} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
