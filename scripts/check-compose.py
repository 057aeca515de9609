#!/usr/bin/env python3
"""Checks docker-compose.yml without a Docker engine.

    scripts/check-compose.py [BINARY] [--compose FILE] [--schema FILE] [--install-deps]

BINARY is a built huddle (default: .build/debug/huddle in the repository). The checks:

1. the file is valid against the Compose Specification's JSON Schema: scripts/compose-spec.json, a copy of
   compose-spec/compose-spec's schema/compose-spec.json (Apache-2.0), kept in the repository so a fresh clone
   can run this;
2. every service running the huddle image (one with `build`, or with the image such a service builds) has a
   `command` naming a real subcommand, found in the SUBCOMMANDS section of `BINARY --help`, and every
   `--flag` in that command is an option listed by `BINARY SUBCOMMAND --help`;
3. the stack's shape: no Redis; `migrate` is a one-shot that waits for a healthy postgres; every other huddle
   service waits for migrate to complete successfully; postgres and api have health checks.

Prints an `ok: ...` line per passed check, `FAIL: ...` per problem, and exits 1 if anything failed.
Needs PyYAML and jsonschema (python3 -m pip install 'PyYAML>=6' 'jsonschema>=4.18'; --install-deps runs it).
"""

import argparse
import importlib
import json
import os
import re
import shlex
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIREMENTS = ["PyYAML>=6", "jsonschema>=4.18"]


def import_dependencies(install):
    """Returns (yaml, jsonschema), installing them with pip first when asked to and they are missing."""
    try:
        import jsonschema
        import yaml
        return yaml, jsonschema
    except ImportError as error:
        missing = error.name
    pip = [sys.executable, "-m", "pip", "install", "--quiet", *REQUIREMENTS]
    if not install:
        sys.exit(f"error: the Python module {missing!r} is missing; install PyYAML and jsonschema with\n"
                 f"  {shlex.join(pip)}\nor run this script with --install-deps")
    print(f"installing: {' '.join(REQUIREMENTS)}", flush=True)
    if subprocess.run(pip).returncode != 0:
        sys.exit(f"error: {shlex.join(pip)} failed")
    importlib.invalidate_caches()
    import jsonschema
    import yaml
    return yaml, jsonschema


class Report:
    def __init__(self):
        self.failures = 0

    def ok(self, message):
        print(f"ok: {message}")

    def fail(self, message):
        self.failures += 1
        print(f"FAIL: {message}")

    def check(self, condition, good, bad):
        if condition:
            self.ok(good)
        else:
            self.fail(bad)
        return condition


# ---- 1. the Compose Specification ---------------------------------------------------------------------------

def check_schema(report, document, schema, jsonschema, compose_name):
    # The spec declares draft-07 (as https://json-schema.org/draft-07/schema, which validator_for may not
    # recognise), so the validator is chosen explicitly.
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        report.fail(f"{compose_name}: {where or '(top level)'}: {error.message}")
    if not errors:
        report.ok(f"{compose_name} is valid against the Compose Specification schema")


# ---- 2. commands against the binary's --help ----------------------------------------------------------------

class Binary:
    """Runs `huddle ... --help` once per command path and parses what ArgumentParser prints."""

    def __init__(self, path):
        self.path = path
        self.cache = {}

    def help(self, command_path):
        key = tuple(command_path)
        if key not in self.cache:
            argv = [self.path, *command_path, "--help"]
            try:
                result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            except OSError as error:
                raise SystemExit(f"error: cannot run {shlex.join(argv)}: {error}")
            except subprocess.TimeoutExpired:
                raise SystemExit(f"error: {shlex.join(argv)} did not finish within 60 s")
            if result.returncode != 0:
                raise SystemExit(f"error: {shlex.join(argv)} exited {result.returncode}:\n{result.stderr}")
            self.cache[key] = result.stdout
        return self.cache[key]

    @staticmethod
    def subcommands(help_text):
        """The names in the SUBCOMMANDS section (none for a leaf command): entries are indented two spaces,
        descriptions further, and the section ends at the first blank line (before "See 'huddle help …'")."""
        names, inside = [], False
        for line in help_text.splitlines():
            if line.strip() == "SUBCOMMANDS:":
                inside = True
            elif inside and not line.strip():
                break
            elif inside:
                entry = re.match(r"^ {2}(\S.*?)(?: {2,}|$)", line)
                if entry:
                    # "name", "name (default)" or "name, alias": keep every name.
                    for name in re.split(r",\s*", re.sub(r"\s*\(default\)", "", entry.group(1))):
                        if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
                            names.append(name)
        return names

    @staticmethod
    def options(help_text):
        """The option names defined in the help: lines indented two spaces whose first column starts with a
        dash, like `  -h, --help`, `  --port <port>` or `  --tls/--no-tls`."""
        names = set()
        for line in help_text.splitlines():
            if re.match(r"^ {2}-", line):
                first_column = re.split(r" {2,}| <", line.strip(), maxsplit=1)[0]
                names.update(re.findall(r"--?[A-Za-z0-9][A-Za-z0-9_-]*", first_column))
        return names


def as_argv(value):
    if isinstance(value, str):
        return shlex.split(value)
    if isinstance(value, list):
        return [str(item) for item in value]
    return None


def check_command(report, binary, name, service):
    entrypoint = as_argv(service.get("entrypoint"))
    if entrypoint is not None and [os.path.basename(e) for e in entrypoint] != ["huddle"]:
        report.fail(f"service {name}: its entrypoint {entrypoint} replaces the image's `huddle`; "
                    "keep the entrypoint and put the subcommand in `command`")
        return
    command = as_argv(service.get("command"))
    if not command:
        report.fail(f"service {name}: no `command`; it must name the huddle subcommand to run "
                    "(the image's default only prints --help)")
        return

    # The subcommand, and any nested ones (`bench latency`).
    path = []
    available = Binary.subcommands(binary.help([]))
    if not available:
        raise SystemExit(f"error: found no SUBCOMMANDS section in `{binary.path} --help`; is it the huddle binary?")
    arguments = list(command)
    while arguments and available and not arguments[0].startswith("-"):
        word = arguments[0]
        if word not in available:
            parent = " ".join(["huddle", *path])
            report.fail(f"service {name}: `{word}` is not a subcommand of `{parent}` "
                        f"(`{parent} --help` lists: {', '.join(available)})")
            return
        path.append(arguments.pop(0))
        available = Binary.subcommands(binary.help(path))
    if not path:
        report.fail(f"service {name}: the command {command} starts with a flag, not a huddle subcommand")
        return
    if available:
        report.fail(f"service {name}: `huddle {' '.join(path)}` needs one of its subcommands: {', '.join(available)}")
        return

    shown = " ".join(path)
    help_text = binary.help(path)
    if not re.search(rf"USAGE: huddle {re.escape(shown)}(\s|$)", help_text):
        report.fail(f"service {name}: `huddle {shown} --help` does not show the help of `huddle {shown}`")
        return
    options = Binary.options(help_text)
    unknown = []
    for argument in arguments:
        if argument == "--":
            break  # everything after is positional
        if re.fullmatch(r"-\d.*", argument) or not argument.startswith("-") or argument == "-":
            continue  # a value, or a negative number
        flag = argument.split("=", 1)[0]
        if flag not in options:
            unknown.append(flag)
    if unknown:
        report.fail(f"service {name}: `huddle {shown}` has no option {', '.join(unknown)} "
                    f"(its --help lists: {', '.join(sorted(options))})")
    else:
        flags = [a.split('=', 1)[0] for a in arguments if a.startswith("--")]
        report.ok(f"service {name}: `huddle {shown}` exists"
                  + (f" and accepts {', '.join(flags)}" if flags else ""))


# ---- 3. the stack's shape -----------------------------------------------------------------------------------

def depends_condition(service, dependency):
    """The condition a service waits for on `dependency`, or None if it does not depend on it."""
    depends_on = service.get("depends_on")
    if isinstance(depends_on, list):
        return "service_started" if dependency in depends_on else None
    if isinstance(depends_on, dict) and dependency in depends_on:
        entry = depends_on[dependency] or {}
        return entry.get("condition", "service_started") if isinstance(entry, dict) else "service_started"
    return None


def has_healthcheck(service):
    check = service.get("healthcheck")
    if not isinstance(check, dict) or check.get("disable") in (True, "true"):
        return False
    test = check.get("test")
    return bool(test) and test != ["NONE"] and test != "NONE"


def check_shape(report, services, huddle_services):
    redis = []
    for name, service in services.items():
        image = str(service.get("image", ""))
        environment = service.get("environment") or {}
        values = environment.values() if isinstance(environment, dict) else environment
        if ("redis" in name.lower() or "redis" in image.lower()
                or any(re.search(r"\brediss?://", str(v)) for v in values)):
            redis.append(name)
    report.check(not redis, "no Redis service, image or redis:// URL",
                 f"Redis appears in service(s) {', '.join(redis)}: Huddle runs on PostgreSQL alone")

    for required in ("postgres", "migrate", "api"):
        if required not in services:
            report.fail(f"there is no `{required}` service")

    if "migrate" in services:
        migrate = services["migrate"]
        report.check("migrate" in huddle_services, "service migrate runs the huddle image",
                     "service migrate does not run the huddle image")
        condition = depends_condition(migrate, "postgres")
        report.check(condition == "service_healthy", "migrate waits for postgres to be healthy",
                     f"migrate must depend on postgres with condition: service_healthy (has: {condition})")
        restart = str(migrate.get("restart", "no"))
        report.check(restart == "no" or restart.startswith("on-failure"), "migrate is a one-shot (restart: no)",
                     f"migrate has restart: {restart}, so it would run again after succeeding; use \"no\"")

    for name in sorted(huddle_services):
        if name == "migrate":
            continue
        condition = depends_condition(services[name], "migrate")
        report.check(condition == "service_completed_successfully",
                     f"{name} waits for migrate to complete successfully",
                     f"{name} must depend on migrate with condition: service_completed_successfully "
                     f"(has: {condition})")

    for name in ("postgres", "api"):
        if name in services:
            report.check(has_healthcheck(services[name]), f"{name} has a health check",
                         f"{name} has no health check")


# ---- main ---------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description="Check docker-compose.yml against the Compose Specification "
                                                 "and the huddle binary's CLI.")
    parser.add_argument("binary", nargs="?", default=os.path.join(REPO, ".build", "debug", "huddle"),
                        help="the huddle binary whose --help is the reference (default: .build/debug/huddle)")
    parser.add_argument("--compose", default=os.path.join(REPO, "docker-compose.yml"),
                        help="the compose file (default: docker-compose.yml in the repository)")
    parser.add_argument("--schema", default=os.path.join(REPO, "scripts", "compose-spec.json"),
                        help="the Compose Specification JSON Schema (default: scripts/compose-spec.json)")
    parser.add_argument("--install-deps", action="store_true",
                        help="pip-install PyYAML and jsonschema if they are missing")
    args = parser.parse_args()
    yaml, jsonschema = import_dependencies(args.install_deps)

    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        sys.exit(f"error: {args.binary} is not an executable file: build it first (swift build) "
                 "or pass the huddle binary's path")
    compose_name = os.path.relpath(args.compose)
    if compose_name.startswith(os.pardir):
        compose_name = args.compose
    try:
        with open(args.compose) as file:
            document = yaml.safe_load(file)
        with open(args.schema) as file:
            schema = json.load(file)
    except (OSError, ValueError, yaml.YAMLError) as error:
        sys.exit(f"error: {error}")

    report = Report()
    check_schema(report, document, schema, jsonschema, compose_name)

    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict) or not services:
        report.fail(f"{compose_name} defines no services")
        sys.exit(1)
    services = {name: service if isinstance(service, dict) else {} for name, service in services.items()}

    # The huddle image: whatever a service builds, and every service that runs that image.
    built = {service.get("image") for service in services.values() if service.get("build") is not None}
    huddle_services = {name for name, service in services.items()
                       if service.get("build") is not None or service.get("image") in built}
    if not report.check(huddle_services, f"huddle image ({', '.join(sorted(i for i in built if i))}) runs in: "
                                         f"{', '.join(sorted(huddle_services))}",
                        "no service builds the huddle image (`build: .`)"):
        sys.exit(1)

    binary = Binary(args.binary)
    for name in sorted(huddle_services):
        check_command(report, binary, name, services[name])

    check_shape(report, services, huddle_services)

    if report.failures:
        sys.stdout.flush()
        print(f"error: {compose_name}: {report.failures} problem(s), see FAIL above", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {compose_name} passes every check")


if __name__ == "__main__":
    main()
