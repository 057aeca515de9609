#!/usr/bin/env python3
"""Checks the live REST API against openapi.yaml.

Starts nothing itself: give it a running `huddle serve` (BASE_URL), the huddle binary (to mint tokens with
HUDDLE_SECRET) and DATABASE_URL (psql writes a notification, as an operator would). It makes one request per
case below — every documented operation at least once, and its error cases — and checks that each answer's
status is documented for that operation and its JSON body matches the documented schema. Exits 1 on any
mismatch or undocumented operation left unexercised.

Usage: scripts/check-openapi.py BASE_URL HUDDLE_BIN   (needs PyYAML and jsonschema; --install-deps installs them)
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

if "--install-deps" in sys.argv:
    sys.argv.remove("--install-deps")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "PyYAML>=6", "jsonschema>=4.18"],
                   check=True, env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"})
try:
    import yaml
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError:
    sys.exit("check-openapi: needs PyYAML and jsonschema: pip install 'PyYAML>=6' 'jsonschema>=4.18' (or pass --install-deps)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE, HUDDLE = sys.argv[1].rstrip("/"), sys.argv[2]
SPEC = yaml.safe_load(open(os.path.join(ROOT, "openapi.yaml")))
REGISTRY = Registry().with_resource("urn:openapi", Resource.from_contents(SPEC, default_specification=DRAFT202012))
failures, exercised = [], set()


def token(user, admin=False):
    args = [HUDDLE, "token", user] + (["--admin"] if admin else [])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def follow(ref):
    node = SPEC
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node, ref


def call(method, template, path=None, tok=None, body=None, raw=None, expect=None):
    """One request; checks it against the spec and returns (status, parsed body)."""
    path = path or template
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(BASE + path, data=data, method=method.upper())
    if tok:
        request.add_header("Authorization", "Bearer " + tok)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text, ctype = response.status, response.read().decode(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        status, text, ctype = error.code, error.read().decode(), error.headers.get("Content-Type", "")
    where = f"{method.upper()} {path} -> {status}"
    operation = SPEC["paths"].get(template, {}).get(method)
    if operation is None:
        failures.append(f"{where}: {method.upper()} {template} is not in openapi.yaml")
        return status, None
    exercised.add((template, method))
    if expect is not None and status != expect:
        failures.append(f"{where}: expected {expect}; body {text[:200]}")
    documented = operation.get("responses", {}).get(str(status))
    if documented is None:
        failures.append(f"{where}: status {status} is not documented for {method.upper()} {template}; body {text[:200]}")
        return status, None
    ref = None
    if "$ref" in documented:
        documented, ref = follow(documented["$ref"])
    content = documented.get("content")
    if not content:
        if text:
            failures.append(f"{where}: documented without a body, got {text[:100]}")
        return status, None
    if "application/json" not in content:
        return status, text
    try:
        parsed = json.loads(text)
    except ValueError:
        failures.append(f"{where}: not JSON ({ctype}): {text[:100]}")
        return status, None
    pointer = (ref or f"#/paths/{template.replace('~', '~0').replace('/', '~1')}/{method}/responses/{status}") + "/content/application~1json/schema"
    validator = Draft202012Validator({"$ref": "urn:openapi" + pointer}, registry=REGISTRY)
    for error in validator.iter_errors(parsed):
        failures.append(f"{where}: {'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}")
    return status, parsed


alice, bob, admin = token("contract-alice"), token("contract-bob"), token("contract-ops", admin=True)

call("get", "/healthz", expect=200)
call("get", "/readyz", expect=200)
call("get", "/metrics", expect=200)

_, job = call("post", "/api/v1/jobs", tok=alice, body={"kind": "sleep", "args": {"ms": 5}}, expect=201)
job_id = job["id"] if job else 0
call("post", "/api/v1/jobs", tok=alice, body={"kind": "noop"}, expect=403)
call("post", "/api/v1/jobs", tok=alice, body={"kind": "mystery"}, expect=422)
call("post", "/api/v1/jobs", tok=alice, raw=b"{not json", expect=400)
call("post", "/api/v1/jobs", body={"kind": "sleep"}, expect=401)
call("post", "/api/v1/jobs", tok=alice, raw=json.dumps({"kind": "sleep", "args": {"pad": "x" * 70000}}).encode(), expect=413)
call("post", "/api/v1/jobs", tok=admin, body={"kind": "noop", "user_id": "contract-bob"}, expect=201)
call("get", "/api/v1/jobs", tok=alice, expect=200)
call("get", "/api/v1/jobs", "/api/v1/jobs?limit=1&state=available", tok=alice, expect=200)
call("get", "/api/v1/jobs", "/api/v1/jobs?state=bogus", tok=alice, expect=422)
call("get", "/api/v1/jobs", "/api/v1/jobs?limit=0", tok=alice, expect=400)
call("get", "/api/v1/jobs/{id}", f"/api/v1/jobs/{job_id}", tok=alice, expect=200)
call("get", "/api/v1/jobs/{id}", f"/api/v1/jobs/{job_id}", tok=bob, expect=404)
call("post", "/api/v1/jobs/{id}/cancel", f"/api/v1/jobs/{job_id}/cancel", tok=alice, expect=200)
call("post", "/api/v1/jobs/{id}/cancel", f"/api/v1/jobs/{job_id}/cancel", tok=bob, expect=404)
call("post", "/api/v1/jobs/{id}/retry", f"/api/v1/jobs/{job_id}/retry", tok=alice, expect=200)
call("post", "/api/v1/jobs/{id}/retry", f"/api/v1/jobs/{job_id}/retry", tok=bob, expect=404)

subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", os.environ["DATABASE_URL"], "-c",
                "SELECT queue.notify_user('contract-alice', 'injury', 'Player out', 'Questionable -> Out', '{\"player_id\": \"1\"}')"],
               check=True, stdout=subprocess.DEVNULL)
call("get", "/api/v1/notifications", "/api/v1/notifications?after=0", tok=alice, expect=200)

call("get", "/api/v1/schedules", tok=alice, expect=403)
call("post", "/api/v1/schedules", tok=admin, body={"name": "contract", "kind": "noop", "every_seconds": 60}, expect=201)
call("post", "/api/v1/schedules", tok=admin, body={"name": "contract", "kind": "noop", "every_seconds": 60}, expect=409)
call("post", "/api/v1/schedules", tok=admin, body={"name": "bad", "kind": "noop", "cron": "61 * * * *"}, expect=422)
call("get", "/api/v1/schedules", tok=admin, expect=200)
call("get", "/api/v1/schedules/{name}", "/api/v1/schedules/contract", tok=admin, expect=200)
call("patch", "/api/v1/schedules/{name}", "/api/v1/schedules/contract", tok=admin, body={"cron": "0 9 * * MON", "enabled": False}, expect=200)
call("patch", "/api/v1/schedules/{name}", "/api/v1/schedules/nope", tok=admin, body={"enabled": False}, expect=404)
call("post", "/api/v1/schedules/{name}/run", "/api/v1/schedules/contract/run", tok=admin, expect=201)
call("post", "/api/v1/schedules/{name}/run", "/api/v1/schedules/contract/run", tok=alice, expect=403)
call("post", "/api/v1/schedules/{name}/run", "/api/v1/schedules/nope/run", tok=admin, expect=404)
call("get", "/api/v1/stats", tok=admin, expect=200)
call("get", "/api/v1/stats", tok=alice, expect=403)
call("delete", "/api/v1/schedules/{name}", "/api/v1/schedules/contract", tok=admin, expect=204)
call("get", "/api/v1/schedules/{name}", "/api/v1/schedules/contract", tok=admin, expect=404)

# The demo league is loaded (scripts/check-api.sh): demo alice has roster 1, demo bob roster 2.
LEAGUE = "1180000000000000001"
demo_alice = token("alice")


def first_player(roster):
    return subprocess.run(["psql", "-XAtq", os.environ["DATABASE_URL"], "-c",
                           f"SELECT players[1] FROM fantasy.rosters WHERE league_id = '{LEAGUE}' AND roster_id = {roster}"],
                          check=True, capture_output=True, text=True).stdout.strip()


call("post", "/api/v1/agents/sit-start", tok=demo_alice, body={"league_id": LEAGUE, "roster_id": 1, "week": 12}, expect=201)
call("post", "/api/v1/agents/sit-start", tok=demo_alice, body={"league_id": "1", "roster_id": 1}, expect=422)
call("post", "/api/v1/agents/sit-start", body={"league_id": LEAGUE, "roster_id": 1}, expect=401)
call("post", "/api/v1/agents/trade-analysis", tok=demo_alice,
     body={"league_id": LEAGUE, "my_players": [first_player(1)], "their_players": [first_player(2)]}, expect=201)
call("post", "/api/v1/agents/trade-analysis", tok=demo_alice, body={"league_id": LEAGUE, "my_players": [], "their_players": ["x"]}, expect=422)
call("get", "/api/v1/me/leagues", tok=demo_alice, expect=200)
call("get", "/api/v1/me/leagues", expect=401)
call("get", "/api/v1/agents/tasks/{task_id}", f"/api/v1/agents/tasks/{job_id}", tok=alice, expect=200)
call("get", "/api/v1/agents/tasks/{task_id}", f"/api/v1/agents/tasks/{job_id}", tok=bob, expect=404)

for template, operations in SPEC["paths"].items():
    for method in operations:
        if method in ("get", "post", "put", "patch", "delete") and (template, method) not in exercised:
            failures.append(f"{method.upper()} {template} is documented but was never exercised")

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print(f"ok: {len(exercised)} documented operations answered as openapi.yaml says")
